"""Property tests: no bytes make a parser raise anything but ParseError, or the framer raise."""

from __future__ import annotations

import contextlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commissioner.core.streams.framing import Line, LineFramer
from commissioner.core.streams.parsers import (
    Channel,
    CsvParser,
    JsonLinesParser,
    KeyValueParser,
    ParseError,
    Parser,
    RegexParser,
)

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Bytes biased toward the characters the parsers care about, plus anything at all.
_interesting = st.sampled_from(
    [
        *(b",", b";", b":", b"=", b" ", b"\t", b"-", b".", b"e", b"1", b"9", b"{", b"}", b"["),
        *(
            b'"',
            b"nan",
            b"inf",
            b"\x00",
            b"\xff",
            b"\xc3",
            b"\r",
            b"\n",
            b"1e999",
            b'{"a":',
            b"1_0",
        ),
    ]
)
line_bytes = st.one_of(st.binary(max_size=200), st.lists(_interesting, max_size=60).map(b"".join))


def _parsers() -> list[Parser]:
    return [
        CsvParser([Channel("a", scale=2.0), None, Channel("b", offset=1.0)]),
        CsvParser([Channel("x")], separator=";"),
        KeyValueParser(),
        KeyValueParser([Channel("a")], auto=False),
        RegexParser(r"(?P<a>[-\d.e]+),(?P<b>\S*)"),
        JsonLinesParser(),
        JsonLinesParser([Channel("a")], auto=False),
    ]


@SETTINGS
@given(line_bytes)
def test_parse_raises_only_parse_error(data: bytes) -> None:
    """parse() either returns samples or raises ParseError, whatever the bytes."""
    for parser in _parsers():
        with contextlib.suppress(ParseError):
            parser.parse(Line(data, 0.0, 0))


@SETTINGS
@given(st.lists(line_bytes, max_size=20))
def test_parse_many_never_raises_and_accounts_for_every_line(lines: list[bytes]) -> None:
    """parse_many() never raises; each non-blank line is either parsed or an error."""
    non_blank = sum(1 for line in lines if line.strip())
    for parser in _parsers():
        result = parser.parse_many(lines, 1.0)
        assert result.parsed + len(result.errors) == non_blank


@SETTINGS
@given(st.lists(st.binary(max_size=64), max_size=20), st.integers(1, 16))
def test_framer_keeps_every_byte(chunks: list[bytes], max_line: int) -> None:
    """Framing never raises, and lines plus delimiters plus pending account for every byte."""
    framer = LineFramer(max_line=max_line)
    out: list[bytes] = []
    for chunk in chunks:
        lines = framer.feed(chunk, 0.0)
        assert all(len(line.data) <= max_line for line in lines)
        out.extend(line.data for line in lines)
        for line in lines:
            assert isinstance(line.text, str)
    tail = framer.flush(0.0)
    if tail is not None:
        out.append(tail.data)
    stripped = b"".join(chunks).replace(b"\r", b"").replace(b"\n", b"")
    assert b"".join(out) == stripped


_csv_field = st.one_of(
    st.floats(allow_nan=False, width=32).map(lambda f: repr(f).encode()),
    st.integers(-(10**6), 10**6).map(lambda i: str(i).encode()),
    st.sampled_from([b"", b"x", b" 1.5 ", b"nan", b"-0", b"1e3"]),
)


@SETTINGS
@given(st.lists(st.lists(_csv_field, min_size=1, max_size=4).map(b",".join), max_size=30))
def test_csv_batch_equals_line_by_line(lines: list[bytes]) -> None:
    """CsvParser.parse_many gives the same values and errors as parse() line by line."""
    parser = CsvParser([Channel("a", scale=3.0), None, Channel("c", offset=0.5)])
    result = parser.parse_many(lines, 2.0)
    expected: dict[str, list[float]] = {}
    errors = []
    for pos, data in enumerate(lines):
        try:
            for sample in parser.parse(Line(data, 2.0, pos)):
                expected.setdefault(sample.channel, []).append(sample.value + 0.0)
        except ParseError:
            errors.append(pos)
    got = {name: (arr + 0.0).tolist() for name, arr in result.values.items()}  # +0.0: no -0.0
    assert repr(got) == repr(expected)  # repr: NaN compares equal to itself
    assert [pos for pos, _ in result.errors] == errors
