"""Cutting a client's TCP connection the way a gateway that went away does.

While a THREAD reboots, updates or sleeps nothing answers on its address; the client sees its
connection reset. The simulator keeps listening (so its ``/_sim/`` control endpoints still work)
but resets every other connection: ``SO_LINGER`` with a zero timeout makes the close send a TCP
RST instead of an orderly FIN, so clients get "connection reset", not an empty answer.
"""

from __future__ import annotations

import contextlib
import socket
import struct

from aiohttp import web


def abort_connection(request: web.BaseRequest) -> None:
    transport = request.transport
    if transport is None or transport.is_closing():
        return
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()
