"""Finding the baud rate and framing of a silent serial sensor by trying the usual ones.

A sensor whose label is lost, or that someone reconfigured, shows up in verification as "bytes
but no parsable line" (or as silence, when a polled sensor cannot read our request). Installers
then try rates by hand; :func:`scan_framing` does it for them: set a framing, listen briefly with
the exact capture verification uses, and call the framing good when the profile's parser reads
the sensor's lines. The scan only *finds*: the port's framing is always put back as it was (even
when the scan is cancelled), and the caller decides whether to apply the framing found, so the
change goes through the same plan, journal and rollback as every other write.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any

from commissioner.core.commissioning.profile_model import PortProfile
from commissioner.core.commissioning.verify_data import (
    SERIAL_MODES,
    DataWaitOptions,
    capture_serial,
    port_parser,
    port_poll_interval,
)
from commissioner.core.edge import rules
from commissioner.core.edge.client import EdgeClient
from commissioner.core.edge.errors import EdgeError, EdgeUnreachable

COMMON_BAUDS: tuple[int, ...] = (9600, 19200, 115200, 38400, 57600, 4800, 2400, 1200, 230400)
PARITY_BAUDS: tuple[int, ...] = (9600, 19200)  # where the less usual framings are tried
VARIANTS: tuple[tuple[int, str], ...] = (
    (7, "EVEN"),
    (7, "ODD"),
    (8, "EVEN"),
    (8, "ODD"),
    (8, "NONE"),
)
SCANNED_KEYS: tuple[str, ...] = ("BAUD_RATE", "DATA_BITS", "PARITY_BIT")
MIN_VALUES = 2  # a framing "speaks" with at least this many values per channel ...
MAX_BAD_SHARE = 0.2  # ... and no more than this share of its lines unparsable


@dataclass(frozen=True)
class Framing:
    """One setting to try; stop bits are not a THREAD property, so always 1."""

    baud: int
    data_bits: int = 8
    parity: str = "NONE"

    def label(self) -> str:
        return f"{self.baud} {self.data_bits}{self.parity[:1].upper()}1"

    def properties(self) -> dict[str, Any]:
        return {"BAUD_RATE": self.baud, "DATA_BITS": self.data_bits, "PARITY_BIT": self.parity}


@dataclass(frozen=True)
class ScanAttempt:
    """One framing tried: ``values`` is the count of the channel with the fewest values."""

    framing: Framing
    lines: int
    values: int
    speaks: bool
    detail: str = ""


@dataclass(frozen=True)
class ScanResult:
    """``waited_s`` is the time spent listening; ``error`` says why the scan stopped early."""

    port: int
    found: Framing | None
    attempts: list[ScanAttempt]
    restored: bool
    waited_s: float
    error: str = ""

    def summary(self) -> str:
        n = len(self.attempts)
        if self.found is not None:
            text = f"found {self.found.label()} after {n} {'try' if n == 1 else 'tries'}"
        elif self.error:
            text = f"scan stopped after {n} {'try' if n == 1 else 'tries'}: {self.error}"
        else:
            text = f"no setting of {n} tried made the sensor speak"
        if not self.restored:
            text += "; the port's framing could not be put back, check it before going on"
        return text


def candidates(port: PortProfile, *, bauds: Sequence[int] | None = None) -> list[Framing]:
    """The profile's framing, the common rates at its bits/parity, then other framings.

    Only rates the THREAD accepts (:data:`rules.BAUD_RATES`) are kept; 8N1 is among the other
    framings so a profile written for 7E1 still tries the most common setting.
    """
    serial = port.serial
    bits = serial.data_bits if serial is not None and serial.data_bits else 8
    parity = serial.parity.value if serial is not None and serial.parity else "NONE"
    rates = [b for b in (bauds if bauds is not None else COMMON_BAUDS) if b in rules.BAUD_RATES]
    own = [serial.baud] if serial is not None and serial.baud in rules.BAUD_RATES else []
    found = [Framing(b, bits, parity) for b in [*own, *rates] if b is not None]
    variant_rates = [b for b in PARITY_BAUDS if b in rates] or rates[:2]
    found += [Framing(b, d, p) for d, p in VARIANTS for b in variant_rates]
    return list(dict.fromkeys(found))


async def scan_framing(
    client: EdgeClient,
    port: PortProfile,
    *,
    poll: str = "",
    listen_s: float = 1.5,
    candidates_: Sequence[Framing] | None = None,
    on_attempt: Callable[[ScanAttempt], None] | None = None,
    stop_at_first: bool = True,
    poll_interval_s: float | None = None,
    connect_timeout_s: float = 5.0,
) -> ScanResult:
    """Try each framing on ``port`` and report which made its sensor speak; restores the port.

    Raises ValueError for a port that is not serial or has no parser (nothing is changed then);
    THREAD errors end the scan and are in ``error``. Cancelling still restores, then re-raises.
    """
    n = port.number
    if port.mode not in SERIAL_MODES:
        raise ValueError(f"port {n} is {port.mode.value}: only serial ports can be scanned")
    if port_parser(port) is None or not port.channels:
        raise ValueError(f"port {n} has no parser or channels: the scan judges by parsing")
    tried = list(candidates_) if candidates_ is not None else candidates(port)
    every = port_poll_interval(port, DataWaitOptions(poll_interval_s=poll_interval_s))
    every = min(every, listen_s / 4)  # enough polls in one window to see two answers
    try:
        before = (await client.get_port_properties(n)).to_payload()
    except EdgeError as exc:
        return ScanResult(n, None, [], True, 0.0, f"cannot read port {n}'s settings: {exc}")
    original = {k: v for k, v in before.items() if k in SCANNED_KEYS}
    attempts: list[ScanAttempt] = []
    found: Framing | None = None
    waited = 0.0
    error = ""
    restored = False
    try:
        for framing in tried:
            try:
                await client.set_port_properties(n, framing.properties())
            except EdgeError as exc:
                attempt = ScanAttempt(framing, 0, 0, False, f"not applied: {exc}")
                if isinstance(exc, EdgeUnreachable):
                    error = str(exc)
            else:
                cap = await capture_serial(
                    client.base_url,
                    port,
                    poll=poll,
                    window_s=listen_s,
                    min_values=3,
                    poll_interval_s=every,
                    connect_timeout_s=connect_timeout_s,
                )
                waited += cap.waited_s
                bad = cap.parse_errors - (1 if cap.first_line_failed else 0)
                counted = cap.lines - (1 if cap.first_line_failed else 0)
                speaks = cap.fewest_values >= MIN_VALUES and bad <= MAX_BAD_SHARE * counted
                detail = (
                    f"the port stream did not open: {cap.error}"
                    if cap.error
                    else f"{cap.bytes_in} bytes, {cap.lines} lines, {cap.parse_errors} unparsable"
                )
                error = error or (f"the data stream of port {n} did not open" if cap.error else "")
                attempt = ScanAttempt(framing, cap.lines, cap.fewest_values, speaks, detail)
            attempts.append(attempt)
            if on_attempt is not None:
                on_attempt(attempt)
            if attempt.speaks and found is None:
                found = framing
            if error or (found is not None and stop_at_first):
                break
    finally:
        restored = await _shielded(_restore(client, n, original))
    return ScanResult(n, found, attempts, restored, waited, error)


async def _restore(client: EdgeClient, port: int, original: dict[str, Any]) -> bool:
    """Put the scanned properties back as read (removing those that were not set)."""
    absent = [k for k in SCANNED_KEYS if k not in original]
    try:
        if original:
            await client.set_port_properties(port, original)
        if absent:
            await client.delete_port_properties(port, absent)
        after = (await client.get_port_properties(port)).to_payload()
    except EdgeError:
        return False
    return all(after.get(k) == v for k, v in original.items()) and not any(
        k in after for k in absent
    )


async def _shielded(coro: Coroutine[Any, Any, bool]) -> bool:
    """Run ``coro`` to the end even if we are cancelled meanwhile; re-raise that afterwards."""
    task = asyncio.ensure_future(coro)
    cancelled = False
    while not task.done():
        try:
            await asyncio.shield(task)
        except asyncio.CancelledError:
            if task.cancelled():
                break
            cancelled = True
    if cancelled:
        raise asyncio.CancelledError
    return False if task.cancelled() else task.result()
