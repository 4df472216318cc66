"""A bit-level model of a UART link, so a wrong baud rate or framing garbles bytes realistically.

A THREAD port and the sensor on it each run a UART with their own baud rate, data bits and
parity. When those agree, bytes pass unchanged; when they do not, a real receiver still sees
*something*: it hunts for a start edge, samples mid-bit at its own rate and delivers whatever it
read. Installers recognise that as "garbage on the console", which is the cue to fix the settings,
so the simulator reproduces it from first principles instead of inventing random noise:

* The sender turns each byte into a frame: the idle line is high (1); a start bit (0); the data
  bits least significant first; an optional parity bit; one or two stop bits (1). Frames follow
  each other back to back, and the line idles high after the last one.
* The receiver waits for a falling (1 -> 0) edge, checks the start bit again half a bit later (a
  glitch is ignored), samples each data bit and the parity bit in the middle of its bit time,
  and then checks one stop bit. It hunts for the next edge from that stop-bit sample on.
* A byte whose stop bit reads 0 (a framing error, which includes a line break) or whose parity
  is wrong is delivered as ``0x00``, as a Linux serial port does by default (no ``IGNPAR`` or
  ``PARMRK``). Depending on the rates the receiver may see fewer or more bytes than were sent.

Time is kept in integer ticks of ``1 / (2 * tx_baud * rx_baud)`` seconds so that identical
framing is exact (no floating-point rounding) and the result is deterministic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from commissioner.core.edge.rules import Parity

FRAMING_ERROR_BYTE = 0x00


@dataclass(frozen=True)
class Framing:
    """How one end of a serial link frames bytes: baud rate, data bits, parity and stop bits."""

    baud: int
    data_bits: int = 8
    parity: Parity = Parity.NONE
    stop_bits: int = 1

    def __post_init__(self) -> None:
        if self.baud <= 0:
            raise ValueError(f"baud rate must be positive, got {self.baud}")
        if not 5 <= self.data_bits <= 8:
            raise ValueError(f"data bits must be 5 to 8, got {self.data_bits}")
        if self.stop_bits not in (1, 2):
            raise ValueError(f"stop bits must be 1 or 2, got {self.stop_bits}")

    @property
    def has_parity(self) -> bool:
        return self.parity is not Parity.NONE

    @property
    def bits_per_frame(self) -> int:
        return 1 + self.data_bits + (1 if self.has_parity else 0) + self.stop_bits

    @property
    def mask(self) -> int:
        return (1 << self.data_bits) - 1

    @property
    def label(self) -> str:
        """The usual short form, such as ``9600 8N1``."""
        return f"{self.baud} {self.data_bits}{self.parity.value[0]}{self.stop_bits}"


def parity_bit(value: int, parity: Parity) -> int:
    """The parity bit a sender adds to ``value`` (its data bits only) for ``parity``."""
    ones = bin(value).count("1")
    if parity is Parity.EVEN:
        return ones % 2
    if parity is Parity.ODD:
        return 1 - ones % 2
    if parity is Parity.MARK:
        return 1
    if parity is Parity.SPACE:
        return 0
    raise ValueError("no parity bit without parity")


def encode(data: bytes, framing: Framing) -> list[int]:
    """The line levels, one per bit time at the sender's baud, for ``data`` sent back to back."""
    levels: list[int] = []
    for byte in data:
        value = byte & framing.mask
        levels.append(0)
        levels.extend((value >> bit) & 1 for bit in range(framing.data_bits))
        if framing.has_parity:
            levels.append(parity_bit(value, framing.parity))
        levels.extend([1] * framing.stop_bits)
    return levels


def decode(levels: Sequence[int], tx_baud: int, framing: Framing) -> bytes:
    """What a receiver with ``framing`` reads from ``levels`` sent at ``tx_baud`` bits per second.

    The line is idle (1) before the first and after the last level.
    """
    tx_bit = 2 * framing.baud  # ticks per sender bit
    half_rx = tx_baud  # ticks per half receiver bit
    count = len(levels)

    def level(tick: int) -> int:
        index = tick // tx_bit
        return levels[index] if 0 <= index < count else 1

    def next_edge(after: int) -> int | None:
        """Tick of the first falling edge strictly after ``after`` (edges sit on bit borders)."""
        index = max(0, after // tx_bit + 1) if after >= 0 else 0
        while index < count:
            previous = levels[index - 1] if index > 0 else 1
            if previous == 1 and levels[index] == 0:
                return index * tx_bit
            index += 1
        return None

    out = bytearray()
    hunt_from = -1
    while (edge := next_edge(hunt_from)) is not None:
        if level(edge + half_rx) != 0:  # the start bit vanished: a glitch, keep hunting
            hunt_from = edge + half_rx
            continue
        value = 0
        for bit in range(framing.data_bits):
            value |= level(edge + (2 * (1 + bit) + 1) * half_rx) << bit
        position = 1 + framing.data_bits
        good = True
        if framing.has_parity:
            good = level(edge + (2 * position + 1) * half_rx) == parity_bit(value, framing.parity)
            position += 1
        stop_tick = edge + (2 * position + 1) * half_rx
        good = good and level(stop_tick) == 1
        out.append(value if good else FRAMING_ERROR_BYTE)
        hunt_from = stop_tick
    return bytes(out)


def transmit(data: bytes, sender: Framing, receiver: Framing) -> bytes:
    """The bytes ``receiver`` reads when ``sender`` sends ``data`` over one idle-separated burst.

    Matching framing is a plain passthrough (of the bits the sender's data width carries).
    """
    if not data:
        return b""
    if sender == receiver or (
        sender.baud == receiver.baud
        and sender.data_bits == receiver.data_bits
        and sender.parity == receiver.parity
    ):
        mask = sender.mask
        return data if mask == 0xFF else bytes(b & mask for b in data)
    return decode(encode(data, sender), sender.baud, receiver)
