"""Serial settings: validation names the field and the rule; describe() reads like a terminal's."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from commissioner.core.serial import (
    COMMON_BAUD_RATES,
    Parity,
    SerialSettings,
    SerialSettingsError,
)


def test_defaults_describe_as_115200_8n1() -> None:
    """A bare port is 115200 baud, 8 data bits, no parity, 1 stop bit, no flow control."""
    assert SerialSettings("/dev/ttyUSB0").describe() == "/dev/ttyUSB0 115200 8N1"


@pytest.mark.parametrize(
    ("settings", "text"),
    [
        (SerialSettings("/dev/ttyUSB0", 9600, rtscts=True), "/dev/ttyUSB0 9600 8N1 RTS/CTS"),
        (
            SerialSettings("COM3", 19200, 7, Parity.EVEN, 2, xonxoff=True),
            "COM3 19200 7E2 XON/XOFF",
        ),
        (SerialSettings("/dev/ttyS0", 300, 5, Parity.MARK, 1.5), "/dev/ttyS0 300 5M1.5"),
        (
            SerialSettings("/dev/ttyACM0", 57600, parity=Parity.SPACE, dtr=False, rts=True),
            "/dev/ttyACM0 57600 8S1 DTR off RTS on",
        ),
    ],
)
def test_describe(settings: SerialSettings, text: str) -> None:
    """describe() gives port, baud, the 8N1-style frame, flow control and set lines."""
    assert settings.describe() == text


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"port": "  "}, "port", "choose a serial port"),
        ({"baud": 0}, "baud", "positive whole number"),
        ({"baud": -9600}, "baud", "positive whole number"),
        ({"baud": 9600.0}, "baud", "positive whole number"),
        ({"baud": True}, "baud", "positive whole number"),
        ({"data_bits": 9}, "data_bits", "5, 6, 7 or 8"),
        ({"data_bits": 8.0}, "data_bits", "5, 6, 7 or 8"),
        ({"parity": "x"}, "parity", "none, even, odd, mark, space"),
        ({"stop_bits": 3}, "stop_bits", "1, 1.5 or 2"),
        ({"rtscts": "yes"}, "rtscts", "on or off"),
        ({"dtr": 1}, "dtr", "left alone"),
        ({"rtscts": True, "rts": False}, "rts", "RTS/CTS flow control drives RTS"),
    ],
)
def test_invalid_settings_name_the_field(changes: dict[str, Any], field: str, words: str) -> None:
    """Each broken rule raises a ValueError naming the field and saying what is allowed."""
    base = SerialSettings("/dev/ttyUSB0")
    with pytest.raises(SerialSettingsError) as caught:
        dataclasses.replace(base, **changes)
    assert isinstance(caught.value, ValueError)
    assert caught.value.field == field
    assert words in str(caught.value)
    assert str(caught.value).startswith(f"{field}: ")


def test_any_positive_baud_is_accepted() -> None:
    """Odd baud rates (a sensor's 250000, 74880) are allowed; the common list is for pickers."""
    assert SerialSettings("/dev/ttyUSB0", 74880).baud == 74880
    assert 9600 in COMMON_BAUD_RATES and 115200 in COMMON_BAUD_RATES
    assert list(COMMON_BAUD_RATES) == sorted(COMMON_BAUD_RATES)


def test_parity_accepts_names_and_letters() -> None:
    """Parity can be given as the enum, its name in any case, or the 8N1-style letter."""
    assert SerialSettings("p", parity="E").parity is Parity.EVEN  # type: ignore[arg-type]
    assert SerialSettings("p", parity="Odd").parity is Parity.ODD  # type: ignore[arg-type]
    assert Parity.parse("m") is Parity.MARK
    assert Parity.SPACE.letter == "S"


def test_pyserial_kwargs() -> None:
    """The settings map onto pyserial's names and values."""
    settings = SerialSettings("/dev/ttyUSB0", 9600, 7, Parity.ODD, 2, rtscts=True)
    assert settings.pyserial_kwargs() == {
        "baudrate": 9600,
        "bytesize": 7,
        "parity": "O",
        "stopbits": 2.0,
        "rtscts": True,
        "xonxoff": False,
    }


def test_dict_round_trip() -> None:
    """to_dict/from_dict keep every field; unknown keys are ignored, a missing port is named."""
    settings = SerialSettings("/dev/ttyUSB0", 9600, 7, Parity.EVEN, 1.5, dtr=False)
    data = settings.to_dict()
    assert data["parity"] == "even"
    assert SerialSettings.from_dict({**data, "colour": "blue"}) == settings
    with pytest.raises(SerialSettingsError, match="port"):
        SerialSettings.from_dict({"baud": 9600})


def test_same_line_settings() -> None:
    """Two settings that differ only in port have the same line settings."""
    a = SerialSettings("/dev/ttyUSB0", 9600)
    assert a.same_line_settings(dataclasses.replace(a, port="/dev/ttyUSB1"))
    assert not a.same_line_settings(dataclasses.replace(a, baud=19200))
