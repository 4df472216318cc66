"""Opening the socket: only the given URL, no frame logging, TLS verified by default.

- Redirects are refused: the ``authenticate`` frame carries the code, so a redirect could hand it
  to another host.
- websockets logs whole frames at DEBUG, the ``authenticate`` frame included; its logger is
  wrapped so DEBUG is never enabled for it, whatever the application's logging level.
- ``wss://`` uses the default SSL context (certificate and host name verified).
- No WebSocket pings: the client's ``time`` keepalive checks the link at the API level, which
  also proves the server still answers requests.
- Loopback (the simulator) never goes through a proxy; other hosts honour the environment's
  proxy settings like the rest of the system.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from websockets.asyncio.client import ClientConnection, connect

from commissioner.core.cloud.errors import CloudUnavailable
from commissioner.core.cloud.profiles import is_loopback_host

log = logging.getLogger(__name__)


class _NoRedirect(connect):
    """Connect only to the URL given: a redirect could carry the code to another host."""

    def process_redirect(self, exc: Exception) -> Exception | str:
        return exc


class _Quiet(logging.LoggerAdapter[logging.Logger]):
    """websockets logs whole frames at DEBUG, including ``authenticate``; never let it."""

    def isEnabledFor(self, level: int) -> bool:
        return level > logging.DEBUG and self.logger.isEnabledFor(level)


async def open_socket(url: str, open_timeout_s: float) -> ClientConnection:
    """Open the WebSocket or raise :class:`CloudUnavailable` saying why."""
    host = urlsplit(url).hostname or ""
    try:
        return await _NoRedirect(
            url,
            open_timeout=open_timeout_s,
            max_size=None,
            compression=None,
            ping_interval=None,
            proxy=None if is_loopback_host(host) else True,
            logger=_Quiet(log, {}),
        )
    except Exception as exc:  # refused, DNS, TLS, HTTP status, timeout: all "unreachable"
        raise CloudUnavailable(url, describe(exc)) from exc


def describe(exc: BaseException) -> str:
    if isinstance(exc, CloudUnavailable):
        return exc.reason
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
