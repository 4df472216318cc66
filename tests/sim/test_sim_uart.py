"""Unit tests of the bit-level UART model that garbles bytes at the wrong settings."""

from __future__ import annotations

import pytest

from commissioner.core.edge.rules import Parity
from commissioner.sim.uart import Framing, decode, encode, parity_bit, transmit

LINE = b"23.41,45.20,1013.2\r\n"


def test_frame_bits_of_a_known_byte() -> None:
    """'U' (0x55) at 8N1 is start 0, data LSB first 1010 1010, stop 1."""
    assert encode(b"U", Framing(9600)) == [0, 1, 0, 1, 0, 1, 0, 1, 0, 1]


def test_frame_bits_with_parity_and_two_stop_bits() -> None:
    """'A' (0x41, two ones) at 7E2 gets parity 0 and two stop bits."""
    assert encode(b"A", Framing(9600, 7, Parity.EVEN, 2)) == [0, 1, 0, 0, 0, 0, 0, 1, 0, 1, 1]


@pytest.mark.parametrize(
    ("parity", "value", "bit"),
    [
        (Parity.EVEN, 0x41, 0),
        (Parity.ODD, 0x41, 1),
        (Parity.EVEN, 0x07, 1),
        (Parity.MARK, 0x00, 1),
        (Parity.SPACE, 0xFF, 0),
    ],
)
def test_parity_bit(parity: Parity, value: int, bit: int) -> None:
    """The parity bit makes the count of ones even/odd, or is fixed for MARK/SPACE."""
    assert parity_bit(value, parity) == bit


@pytest.mark.parametrize(
    "framing",
    [
        Framing(9600),
        Framing(19200, 8, Parity.EVEN),
        Framing(115200, 8, Parity.ODD, 2),
        Framing(1200, 8, Parity.MARK),
        Framing(230400, 8, Parity.SPACE),
    ],
)
def test_identical_framing_decodes_exactly(framing: Framing) -> None:
    """Sender and receiver that agree see every byte exactly, through the bit-level path."""
    data = bytes(range(256)) + LINE
    assert decode(encode(data, framing), framing.baud, framing) == data
    assert transmit(data, framing, framing) == data


def test_seven_bit_framing_keeps_seven_bits() -> None:
    """Identical 7-bit framing passes the low seven bits of each byte."""
    framing = Framing(9600, 7, Parity.EVEN)
    assert decode(encode(b"\xc1Z", framing), 9600, framing) == b"AZ"


def test_known_hand_case_double_baud() -> None:
    """'U' sent at 9600 8N1 and read at 19200 8N1 gives 0x00 (framing error) then 0xE6.

    Worked by hand: the receiver samples the sender's bits 0,1,1,2,2,3,3,4 for its data, reads
    0b01100110 and a low stop bit (framing error -> 0x00); it then finds the edge at sender bit 6
    and reads bits 6,7,7,8,8,9,9,idle = 0b11100110 with a good stop bit.
    """
    assert transmit(b"U", Framing(9600), Framing(19200)) == b"\x00\xe6"


@pytest.mark.parametrize("rx_baud", [1200, 4800, 19200, 38400, 115200])
def test_wrong_baud_garbles(rx_baud: int) -> None:
    """A receiver at another baud rate never sees the line that was sent."""
    received = transmit(LINE, Framing(9600), Framing(rx_baud))
    assert received != LINE
    assert LINE.strip() not in received


def test_slower_receiver_sees_fewer_bytes() -> None:
    """Reading at an eighth of the speed swallows several frames per received byte."""
    assert len(transmit(LINE, Framing(9600), Framing(1200))) < len(LINE)


def test_wrong_parity_and_data_bits_garble() -> None:
    """Same baud but 7E1 or 8O1 against 8N1 corrupts the line (errors read as 0x00)."""
    for receiver in (Framing(9600, 7, Parity.EVEN), Framing(9600, 8, Parity.ODD)):
        received = transmit(LINE, Framing(9600), receiver)
        assert received != LINE
        assert 0x00 in received


def test_break_reads_as_zero_byte() -> None:
    """A long low level (a break) is one framing error, read as 0x00."""
    assert decode([0] * 12, 9600, Framing(9600)) == b"\x00"


def test_glitch_is_not_a_start_bit() -> None:
    """A low pulse shorter than half a receiver bit is ignored."""
    levels = [1] * 4 + [0] + [1] * 20  # one bit at 115200 is a tiny glitch at 9600
    assert decode(levels, 115200, Framing(9600)) == b""


def test_invalid_framing_is_refused() -> None:
    """Framing values outside what a UART supports raise ValueError."""
    with pytest.raises(ValueError, match="data bits"):
        Framing(9600, 9)
    with pytest.raises(ValueError, match="baud"):
        Framing(0)
