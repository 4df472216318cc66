"""A THREAD device port as a byte stream: ``ws://<thread>/ws/port/{1,2,3}``.

Bytes from the device arrive as WebSocket messages; bytes we send go to the device as they are.
The seed's example client sends text frames, so data that is valid UTF-8 goes as text and
anything else as binary.
"""

from __future__ import annotations

import contextlib
from urllib.parse import urlsplit, urlunsplit

from websockets.asyncio.client import ClientConnection, connect

from commissioner.core.edge import paths, rules
from commissioner.core.streams.base import ReconnectingStream


def port_stream_url(base_url: str, port: int) -> str:
    """``http://host:8080`` -> ``ws://host:8080/ws/port/N`` (https -> wss)."""
    port = rules.port(port)
    parts = urlsplit(base_url)
    scheme = "wss" if parts.scheme == "https" else "ws"
    return urlunsplit((scheme, parts.netloc, paths.WS_PORT_PATH.format(port=port), "", ""))


class EdgePortStream(ReconnectingStream):
    """Reconnecting byte stream of one THREAD device port."""

    def __init__(
        self,
        base_url: str,
        port: int,
        *,
        open_timeout_s: float = 5.0,
        backoff_initial_s: float = 0.2,
        backoff_max_s: float = 5.0,
    ) -> None:
        self.port = rules.port(port)
        self.url = port_stream_url(base_url, self.port)
        super().__init__(
            f"THREAD port {self.port} ({self.url})",
            backoff_initial_s=backoff_initial_s,
            backoff_max_s=backoff_max_s,
        )
        self.open_timeout_s = open_timeout_s
        self._ws: ClientConnection | None = None

    async def _connect(self) -> None:
        self._ws = await connect(
            self.url,
            open_timeout=self.open_timeout_s,
            max_size=None,
            compression=None,
            ping_interval=20,
            ping_timeout=20,
            proxy=None,
        )

    async def _receive(self) -> None:
        ws = self._ws
        if ws is None:
            return
        async for message in ws:
            self._deliver(message.encode("utf-8") if isinstance(message, str) else bytes(message))

    async def _send_raw(self, data: bytes) -> None:
        ws = self._ws
        if ws is None:
            from commissioner.core.streams.base import StreamNotConnected

            raise StreamNotConnected(f"{self.name} is not connected")
        try:
            await ws.send(data.decode("utf-8"))
        except UnicodeDecodeError:
            await ws.send(data)

    async def _disconnect(self) -> None:
        ws, self._ws = self._ws, None
        if ws is not None:
            with contextlib.suppress(Exception):  # a failing close or log view must not break I/O
                await ws.close()
