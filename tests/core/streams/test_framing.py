"""Line framing: chunk boundaries, delimiters, long lines, flushing and visible text."""

from __future__ import annotations

import pytest

from commissioner.core.streams.framing import (
    Line,
    LineFramer,
    delimiters_from_hex,
    visible_text,
)


def _feed_all(framer: LineFramer, chunks: list[bytes]) -> list[bytes]:
    out: list[bytes] = []
    for chunk in chunks:
        out.extend(line.data for line in framer.feed(chunk, 1.0))
    return out


def test_lines_split_across_chunks_are_joined() -> None:
    """A line arriving in several chunks comes out once, whole, with the last chunk's time."""
    framer = LineFramer()
    assert framer.feed(b"23.4", 1.0) == []
    assert framer.pending == b"23.4"
    assert framer.feed(b"1,45.2", 2.0) == []
    lines = framer.feed(b"0\r\nnext", 3.0)
    assert lines == [Line(b"23.41,45.20", 3.0, 0)]
    assert framer.pending == b"next"


@pytest.mark.parametrize("split_at", range(1, 12))
def test_every_split_point_gives_same_lines(split_at: int) -> None:
    """Wherever a chunk boundary falls (even inside CR LF), the lines are the same."""
    data = b"a\r\nbb\ncc\rdd\r\n"
    framer = LineFramer()
    assert _feed_all(framer, [data[:split_at], data[split_at:]]) == [b"a", b"bb", b"cc", b"dd"]


def test_default_delimiters_cr_lf_crlf_and_empty_lines() -> None:
    """CR LF, LF and CR each end a line; consecutive delimiters give empty lines."""
    framer = LineFramer()
    assert _feed_all(framer, [b"a\r\n\r\nb\n\nc\r\rd\n"]) == [b"a", b"", b"b", b"", b"c", b"", b"d"]


def test_cr_then_lf_in_next_chunk_is_not_an_empty_line() -> None:
    """A CR ends the line at once; an LF starting the next chunk completes CR LF, no extra line."""
    framer = LineFramer()
    assert _feed_all(framer, [b"x\r"]) == [b"x"]
    assert _feed_all(framer, [b"\ny\n"]) == [b"y"]
    assert _feed_all(framer, [b"z\r", b"\r"]) == [b"z", b""]


def test_single_and_custom_delimiters() -> None:
    """Only the given delimiters split; a multi-byte delimiter split across chunks still works."""
    framer = LineFramer([b"\r\n"])
    assert _feed_all(framer, [b"a\nb\r", b"\nc\r\n"]) == [b"a\nb", b"c"]
    etx = LineFramer(delimiters_from_hex(["03", "0D0A"]))
    assert _feed_all(etx, [b"one\x03two\r", b"\nthree\x03"]) == [b"one", b"two", b"three"]


def test_line_indices_count_across_feeds() -> None:
    """Each line's index counts every line the framer emitted."""
    framer = LineFramer()
    lines = framer.feed(b"a\nb\n", 1.0) + framer.feed(b"c\n", 2.0)
    assert [(line.index, line.t) for line in lines] == [(0, 1.0), (1, 1.0), (2, 2.0)]


def test_max_line_cuts_long_lines_and_pending() -> None:
    """Lines longer than max_line are cut into max_line pieces, in one chunk or many."""
    framer = LineFramer(max_line=4)
    assert _feed_all(framer, [b"0123456789\n"]) == [b"0123", b"4567", b"89"]
    assert _feed_all(framer, [b"abcdefghij"]) == [b"abcd", b"efgh"]
    assert framer.pending == b"ij"
    assert _feed_all(framer, [b"kl\n"]) == [b"ijkl"]
    assert framer.lines_cut == 4  # places where a line was cut
    many = LineFramer(max_line=3)
    assert _feed_all(many, [b"a", b"b", b"c", b"d", b"e"]) == [b"abc"]


def test_flush_emits_unfinished_line_once() -> None:
    """flush() hands out what was pending as a line, then nothing."""
    framer = LineFramer()
    framer.feed(b"a\npartial", 1.0)
    assert framer.flush(5.0) == Line(b"partial", 5.0, 1)
    assert framer.flush(6.0) is None
    assert framer.pending == b""


def test_invalid_utf8_and_control_bytes_are_shown_visibly() -> None:
    """Invalid UTF-8 and control characters show as \\xNN; valid UTF-8 and tabs are kept."""
    line = Line(b"\xff\x00T=\xc3\xa9\t1\xc3", 0.0, 0)
    assert line.text == "\\xff\\x00T=é\t1\\xc3"
    assert visible_text(b"a\r\nb\x07", keep_line_breaks=True) == "a\r\nb\\x07"
    assert visible_text(b"a\r\n") == "a\\x0d\\x0a"


def test_delimiters_from_hex() -> None:
    """Hex delimiters accept spaces and 0x; bad or empty input says what is wrong."""
    assert delimiters_from_hex(["0D0A", "0x0a", "0d 0a"]) == (b"\r\n", b"\n", b"\r\n")
    with pytest.raises(ValueError, match="hex"):
        delimiters_from_hex(["0G"])
    with pytest.raises(ValueError):
        delimiters_from_hex([""])
    with pytest.raises(ValueError):
        delimiters_from_hex([])
