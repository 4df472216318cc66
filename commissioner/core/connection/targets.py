"""Where a THREAD is: over USB (its USB network address), over Ethernet, or the built-in simulator.

Addresses are configuration. The USB default comes from settings and is never contacted by tests,
which always use loopback addresses.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

from commissioner.core.edge.errors import EdgeValidationError

DEFAULT_USB_ADDRESS = "192.168.254.1"
_HOST = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$")


class ConnectionKind(StrEnum):
    USB = "usb"
    ETHERNET = "ethernet"
    SIMULATOR = "simulator"

    @property
    def label(self) -> str:
        return {"usb": "USB", "ethernet": "Ethernet", "simulator": "Simulator"}[self.value]


@dataclass(frozen=True)
class ConnectionTarget:
    """One way to reach one THREAD; ``address`` is empty for the simulator (it picks a port)."""

    kind: ConnectionKind
    address: str = ""

    @property
    def label(self) -> str:
        return self.kind.label if not self.address else f"{self.kind.label} {self.address}"

    def as_json(self) -> dict[str, str]:
        return {"kind": self.kind.value, "address": self.address}

    @classmethod
    def from_json(cls, data: object) -> ConnectionTarget | None:
        """A target from settings, or None when the entry is unusable (settings may be edited)."""
        if not isinstance(data, dict):
            return None
        try:
            kind = ConnectionKind(str(data.get("kind", "")))
            address = str(data.get("address", ""))
            if kind is not ConnectionKind.SIMULATOR:
                base_url(address)
        except (ValueError, EdgeValidationError):
            return None
        return cls(kind, address)


def base_url(address: str) -> str:
    """``192.168.1.20``, ``thread.local:8080`` or ``http://host:port`` -> ``http://host[:port]``."""
    text = address.strip()
    if not text:
        raise EdgeValidationError("address", "enter the THREAD's host name or IP address")
    if "://" not in text:
        text = "http://" + text
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https"):
        raise EdgeValidationError("address", f"use http:// or https://, not {parts.scheme}://")
    host = parts.hostname or ""
    try:
        port = parts.port
    except ValueError:
        raise EdgeValidationError(
            "address", f"the port in {address!r} is not a number from 1 to 65535"
        ) from None
    try:
        ip = ipaddress.ip_address(host)
        host_text = f"[{ip}]" if ip.version == 6 else str(ip)
    except ValueError:
        if not _HOST.match(host):
            raise EdgeValidationError(
                "address", f"{address!r} is not a host name or IP address"
            ) from None
        host_text = host
    if parts.path not in ("", "/"):
        raise EdgeValidationError("address", "give only the host (and port), without a path")
    return f"{parts.scheme}://{host_text}" + (f":{port}" if port else "")
