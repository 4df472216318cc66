"""The listening side shared by the simulators: bind a loopback socket, and name its base URL.

Both simulators bind their own socket (rather than letting aiohttp do it) so the chosen port is
known at once and can be bound again after a simulated outage.
"""

from __future__ import annotations

import socket


def bind_listener(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port`` (0 = any free port), closed again if binding fails."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def http_url(host: str, port: int) -> str:
    """``http://host:port``, with brackets around an IPv6 host."""
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
