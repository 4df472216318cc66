"""PKCE (RFC 7636, S256) and the loopback receiver of the browser sign-in redirect (RFC 8252).

A desktop app cannot keep a client secret, so it proves possession of a one-time verifier instead,
and receives the authorization code on ``http://localhost:<port>/signin-callback`` served only on
the loopback interface for the few minutes the sign-in takes. The ``state`` value ties the answer
to the request this app made; an answer with another state is refused.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import html
import logging
import secrets
import socket
from dataclasses import dataclass, field

from aiohttp import web

from commissioner.core.cloud.errors import CloudAuthError
from commissioner.core.lifecycle import AsyncService

log = logging.getLogger(__name__)
CALLBACK_PATH = "/signin-callback"
_SHUTDOWN_TIMEOUT_S = 1.0


def new_verifier() -> str:
    """A fresh code verifier: 64 characters of the unreserved alphabet (RFC 7636 allows 43-128)."""
    return secrets.token_urlsafe(48)


def new_state() -> str:
    """An unguessable value binding the browser's answer to this sign-in."""
    return secrets.token_urlsafe(24)


def challenge_s256(verifier: str) -> str:
    """BASE64URL(SHA256(verifier)) without padding, as the S256 method defines it."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class CallbackResult:
    """What the browser brought back; ``code`` is hidden from reprs (it is a credential)."""

    code: str = field(default="", repr=False)
    error: str = ""
    error_description: str = ""


class LoopbackReceiver(AsyncService):
    """Serves ``GET /signin-callback`` on localhost until the first answer with the right state."""

    def __init__(self, expected_state: str, *, port: int = 0) -> None:
        self.expected_state = expected_state
        self._requested_port = port
        self._port = 0
        self._runner: web.AppRunner | None = None
        self._result: asyncio.Future[CallbackResult] | None = None

    @property
    def port(self) -> int:
        return self._port

    @property
    def redirect_uri(self) -> str:
        """The redirect URI to register and send; valid after :meth:`start`."""
        return f"http://localhost:{self._port}{CALLBACK_PATH}"

    async def start(self) -> None:
        self._result = asyncio.get_running_loop().create_future()
        app = web.Application()
        app.router.add_get(CALLBACK_PATH, self._on_callback)
        self._runner = web.AppRunner(
            app, access_log=None, shutdown_timeout=_SHUTDOWN_TIMEOUT_S, handle_signals=False
        )
        await self._runner.setup()
        # IPv4 first, to learn the port when the system chooses it; "localhost" may resolve to
        # ::1 in the browser, so the same port is also opened on IPv6 when the host has it.
        try:
            sock = _bind(socket.AF_INET, "127.0.0.1", self._requested_port)
        except OSError as exc:
            await self.aclose()
            raise CloudAuthError(
                f"could not listen for the sign-in answer on port {self._requested_port} ({exc})",
                code="loopback_port",
                status=0,
            ) from exc
        self._port = int(sock.getsockname()[1])
        await web.SockSite(self._runner, sock).start()
        with contextlib.suppress(OSError):
            await web.SockSite(self._runner, _bind(socket.AF_INET6, "::1", self._port)).start()

    async def aclose(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
        if self._result is not None and not self._result.done():
            self._result.cancel()

    async def wait(self, timeout_s: float) -> CallbackResult:
        """The browser's answer; CloudAuthError when none comes within ``timeout_s``."""
        if self._result is None:
            raise RuntimeError("LoopbackReceiver.wait() before start()")
        try:
            async with asyncio.timeout(timeout_s):
                return await asyncio.shield(self._result)
        except TimeoutError:
            raise CloudAuthError(
                f"the browser sign-in did not finish within {timeout_s:g} s",
                code="timeout",
                status=0,
            ) from None

    async def _on_callback(self, request: web.Request) -> web.StreamResponse:
        query = request.rel_url.query
        state = query.get("state", "")
        if not secrets.compare_digest(state.encode(), self.expected_state.encode()):
            log.warning("Sign-in callback with a state this app did not send: ignored")
            return _page(400, "This sign-in answer does not belong to the running sign-in.")
        result = CallbackResult(
            code=query.get("code", ""),
            error=query.get("error", "" if query.get("code") else "invalid_request"),
            error_description=query.get("error_description", ""),
        )
        if result.error:
            text = f"Sign-in was not completed ({result.error}). Return to THREAD Commissioner."
            response = _page(200, text)
        else:
            response = _page(200, "Signed in. You can close this window.")
        # Send the page before handing over the result, so closing the server cannot cut it.
        await response.prepare(request)
        await response.write_eof()
        if self._result is not None and not self._result.done():
            self._result.set_result(result)
        return response


def _bind(family: socket.AddressFamily, host: str, port: int) -> socket.socket:
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def _page(status: int, text: str) -> web.Response:
    body = (
        "<!doctype html><html><head><meta charset='utf-8'><title>THREAD Commissioner</title>"
        "</head><body style='font-family:sans-serif;margin:3em'>"
        f"<h2>THREAD Commissioner</h2><p>{html.escape(text)}</p></body></html>"
    )
    return web.Response(status=status, text=body, content_type="text/html")
