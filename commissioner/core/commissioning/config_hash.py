"""A fingerprint of a THREAD's configuration as left, printed on the report.

Why: months later, support reads the THREAD again and compares hashes; a different hash means
someone changed a setting after commissioning. Only *settings* go in (modes, voltages, serial
properties, device connections, cloud connection, interface priority, battery saver), never
measurements or times, so the same configuration always gives the same hash.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from commissioner.core.commissioning.run_model import ThreadSnapshot


def config_document(snapshot: ThreadSnapshot) -> dict[str, Any]:
    """The settings that make up the hash, as a canonical JSON-able document."""
    return {
        "cloud_connection": snapshot.cloud_connection,
        "interface_priority": snapshot.interface_priority,
        "battery_saver": snapshot.battery_saver,
        "ports": [
            {
                "port": p.port,
                "mode": p.mode,
                "voltage": p.voltage,
                "device_connection": p.device_connection,
                "properties": p.properties,
            }
            for p in sorted(snapshot.ports, key=lambda p: p.port)
        ],
    }


def config_hash(snapshot: ThreadSnapshot) -> str:
    """``sha256:`` and the first 16 hex digits of the SHA-256 of :func:`config_document`."""
    text = json.dumps(config_document(snapshot), sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()[:16]
