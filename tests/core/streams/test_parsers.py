"""Parsers: CSV, label:value, regex and JSON lines; scale and offset; errors; specs."""

from __future__ import annotations

import math

import numpy as np
import pytest

from commissioner.core.streams.framing import Line
from commissioner.core.streams.parsers import (
    Channel,
    CsvParser,
    JsonLinesParser,
    KeyValueParser,
    ParseError,
    Parser,
    RegexParser,
    Sample,
    parser_from_spec,
    parser_to_spec,
)


def _line(data: bytes, t: float = 10.0) -> Line:
    return Line(data, t, 0)


def _values(parser: Parser, data: bytes) -> dict[str, float]:
    return {s.channel: s.value for s in parser.parse(_line(data))}


def test_channel_convert_applies_scale_then_offset() -> None:
    """A channel's value is raw * scale + offset."""
    assert Channel("mA", scale=0.5, offset=4.0).convert(10.0) == 9.0


def test_csv_columns_skip_and_scale() -> None:
    """CSV columns map to channels in order; None skips a column; scale/offset apply; extras ignored."""
    parser = CsvParser([Channel("t", "°C"), None, Channel("p", "Pa", scale=100.0, offset=1.0)])
    samples = parser.parse(_line(b"23.41,45.20,1013.2,extra"))
    assert samples == [Sample("t", 10.0, 23.41), Sample("p", 10.0, 101321.0)]


def test_csv_other_separator_and_text_in_skipped_column() -> None:
    """A semicolon separator works, and skipped columns may hold text."""
    parser = CsvParser([None, Channel("d", "mm")], separator=";")
    assert _values(parser, b"01;+12.345;mm") == {"d": 12.345}


@pytest.mark.parametrize(
    ("data", "reason"),
    [(b"23.41", "1 columns, expected at least 3"), (b"23.41,45.2,abc", "column 3 (p)")],
)
def test_csv_errors_say_why(data: bytes, reason: str) -> None:
    """Too few columns or a non-number raise ParseError naming the problem."""
    parser = CsvParser([Channel("t"), Channel("h"), Channel("p")])
    with pytest.raises(ParseError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        parser.parse(_line(data))


def test_blank_line_is_not_an_error() -> None:
    """Blank lines give no samples and no error, from every parser."""
    for parser in (CsvParser([Channel("a")]), KeyValueParser(), JsonLinesParser()):
        assert parser.parse(_line(b"  ")) == []
        result = parser.parse_many([b"", b" "], 1.0)
        assert result.parsed == 0 and result.errors == []


def test_csv_parse_many_fast_path_matches_line_by_line() -> None:
    """The batch CSV path gives exactly what parsing line by line gives, as arrays."""
    parser = CsvParser([Channel("a", scale=2.0), None, Channel("c", offset=-1.0)])
    lines = [b"%d.25,x,%d.5" % (i, i * 3) for i in range(50)]
    result = parser.parse_many(lines, 7.0)
    assert result.parsed == 50 and result.errors == []
    one_by_one = [s for line in lines for s in parser.parse(_line(line, 7.0))]
    assert result.sample_count == len(one_by_one)
    assert result.values["a"].tolist() == [s.value for s in one_by_one if s.channel == "a"]
    assert result.values["c"].tolist() == [s.value for s in one_by_one if s.channel == "c"]
    assert result.values["a"].dtype == np.float64


def test_csv_parse_many_reports_bad_lines_and_keeps_good_ones() -> None:
    """A chunk with bad lines yields the good lines' values and each bad line's position."""
    parser = CsvParser([Channel("a"), Channel("b")])
    result = parser.parse_many([b"1,2", b"3,x", b"5", b"", b"7,8,9"], 1.0)
    assert result.values["a"].tolist() == [1.0, 7.0]
    assert result.values["b"].tolist() == [2.0, 8.0]
    assert result.parsed == 2
    assert [pos for pos, _ in result.errors] == [1, 2]


def test_keyvalue_pairs_with_colon_equals_and_units() -> None:
    """label:value and key=value pairs, separated by , ; space or tab, units stuck on ignored."""
    parser = KeyValueParser([Channel("T", "°C", scale=0.1)])
    values = _values(parser, b"T:234C;RH=45.2%\tP: 1013.2 , status=OK")
    assert values == pytest.approx({"T": 23.4, "RH": 45.2, "P": 1013.2})
    assert [c.name for c in parser.channels] == ["T", "RH", "P"]


def test_keyvalue_without_auto_ignores_unknown_keys() -> None:
    """Without auto only configured channels come out; a line with none of them is an error."""
    parser = KeyValueParser([Channel("T")], auto=False)
    assert _values(parser, b"T=1 H=2") == {"T": 1.0}
    with pytest.raises(ParseError):
        parser.parse(_line(b"H=2"))
    with pytest.raises(ParseError, match="not a number"):
        parser.parse(_line(b"T=high"))
    with pytest.raises(ParseError):
        parser.parse(_line(b"no pairs here"))


def test_regex_named_groups() -> None:
    """Named groups become channels; configured channels add units and scaling."""
    parser = RegexParser(
        r"^(?P<addr>\d+),(?P<disp>[-+]?\d+\.\d+),mm", [Channel("disp", "mm", scale=1000.0)]
    )
    assert _values(parser, b"01,+12.345,mm") == pytest.approx({"addr": 1.0, "disp": 12345.0})
    with pytest.raises(ParseError, match="does not match"):
        parser.parse(_line(b"garbage"))
    with pytest.raises(ValueError):
        RegexParser(r"(\d+)")
    with pytest.raises(ValueError):
        RegexParser(r"(?P<a>")


def test_regex_non_number_group_is_parse_error() -> None:
    """A group that captured something that is not a number is a ParseError."""
    parser = RegexParser(r"v=(?P<v>\S+)")
    with pytest.raises(ParseError, match="not a number"):
        parser.parse(_line(b"v=abc"))


def test_json_lines_top_level_and_nested_numbers() -> None:
    """Numeric fields become channels, nested ones dotted; booleans and strings are skipped."""
    parser = JsonLinesParser([Channel("env.t", "°C", offset=-273.15)])
    data = b'{"env": {"t": 300.0, "ok": true}, "n": 3, "id": "x"}'
    assert _values(parser, data) == pytest.approx({"env.t": 26.85, "n": 3.0})
    for bad in (b"[1, 2]", b"{not json", b'{"s": "text"}'):
        with pytest.raises(ParseError):
            parser.parse(_line(bad))


def test_json_nan_and_huge_numbers_do_not_raise_other_errors() -> None:
    """NaN is a value; an integer too large for a float is skipped, not a crash."""
    parser = JsonLinesParser()
    values = _values(parser, b'{"a": NaN, "b": 1' + b"0" * 400 + b', "c": 2}')
    assert math.isnan(values["a"]) and values["c"] == 2.0 and "b" not in values


def test_auto_channels_are_capped() -> None:
    """Auto-discovery stops at a fixed number of channels, so garbage cannot grow the list."""
    parser = KeyValueParser()
    parser.parse(_line(b" ".join(b"k%d=1" % i for i in range(200))))
    assert len(parser.channels) == 64


@pytest.mark.parametrize(
    "parser",
    [
        CsvParser([Channel("a", "V", 2.0, 1.0), None, Channel("b")], separator=";"),
        KeyValueParser([Channel("T", "°C")], auto=False),
        RegexParser(r"(?P<x>\d+)", [Channel("x", "mm", 0.001)]),
        JsonLinesParser([Channel("a.b", offset=3.0)]),
    ],
)
def test_spec_round_trip(parser: Parser) -> None:
    """parser_from_spec(parser_to_spec(p)) gives a parser of the same kind and channels."""
    again = parser_from_spec(parser_to_spec(parser))
    assert type(again) is type(parser)
    assert again.channels == parser.channels
    assert parser_to_spec(again) == parser_to_spec(parser)


def test_bad_specs_say_what_is_wrong() -> None:
    """Unknown kinds, missing patterns and nameless channels raise ValueError."""
    for spec in (
        {"kind": "xml"},
        {"kind": "regex"},
        {"kind": "csv", "channels": [{"unit": "V"}]},
        {"kind": "csv", "channels": []},
        {"kind": "csv", "channels": [{"name": "a", "scale": "big"}]},
    ):
        with pytest.raises(ValueError):
            parser_from_spec(spec)
