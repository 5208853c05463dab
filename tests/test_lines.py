"""LineSplitter: bytes in arbitrary pieces -> the same lines, with exact byte offsets;
LineQueue: those lines cut into chunks of any sizes, none lost, none twice."""

from itertools import accumulate, pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from logstorm.sources.lines import Line, LineQueue, LineRun, LineSplitter

# Line bodies mixing ASCII, CR, multi-byte UTF-8 and invalid bytes (never a newline).
BODY_PIECES = [b"a", b"z", b" ", b"\r", "é".encode(), "€".encode(), b"\xff", b"\xc3", b"\xfe"]
bodies = st.lists(st.sampled_from(BODY_PIECES), max_size=12).map(b"".join)
terminators = st.sampled_from([b"\n", b"\r\n"])


def expected_lines(data: bytes, max_line_bytes: int, *, complete: bool, start: int = 0):
    """What the splitter must produce, computed from the whole data at once."""
    out, pos = [], 0
    while (newline := data.find(b"\n", pos)) >= 0:
        raw = data[pos:newline]
        text = raw[:max_line_bytes].rstrip(b"\r").decode("utf-8", "replace")
        out.append(Line(start + pos, start + newline + 1, text, len(raw) > max_line_bytes))
        pos = newline + 1
    if complete and pos < len(data):
        raw = data[pos:]
        text = raw[:max_line_bytes].rstrip(b"\r").decode("utf-8", "replace")
        out.append(Line(start + pos, start + len(data), text, len(raw) > max_line_bytes))
    return out


def split_at(data: bytes, cuts) -> list[bytes]:
    bounds = [0, *sorted(set(cuts)), len(data)]
    return [data[a:b] for a, b in pairwise(bounds)]


def each_line(pieces) -> list[Line]:
    """The lines of what the splitter gave (runs of plain lines and single lines)."""
    return [line for piece in pieces for line in piece.each()]


def feed_all(pieces, *, max_line_bytes=1024, start=0, flush=True):
    splitter = LineSplitter(start, max_line_bytes)
    lines = [line for piece in pieces for line in each_line(splitter.feed(piece))]
    if flush:
        lines += splitter.flush()
    return lines, splitter


@settings(max_examples=300, deadline=None)
@given(
    lines=st.lists(st.tuples(bodies, terminators), max_size=8),
    last=bodies,
    max_line_bytes=st.integers(1, 16),
    start=st.integers(0, 10**6),
    data=st.data(),
)
def test_any_split_into_pieces_gives_the_lines_of_the_whole(
    lines, last, max_line_bytes, start, data
):
    whole = b"".join(body + end for body, end in lines) + last
    cuts = data.draw(st.lists(st.integers(0, len(whole)), max_size=len(whole) + 1))
    pieces = split_at(whole, cuts)

    held, splitter = feed_all(pieces, max_line_bytes=max_line_bytes, start=start, flush=False)
    assert held == expected_lines(whole, max_line_bytes, complete=False, start=start)
    assert splitter.consumed == start + len(whole)
    flushed = splitter.flush()
    assert held + flushed == expected_lines(whole, max_line_bytes, complete=True, start=start)
    assert splitter.flush() == []  # flushing twice yields nothing new


def test_every_single_split_position_and_byte_by_byte_feeding_agree():
    whole = b"first\r\nsecond line\n\nthird \xe2\x82\xac\nunterminated"
    reference = expected_lines(whole, 8, complete=True)
    for cut in range(len(whole) + 1):
        assert feed_all(split_at(whole, [cut]), max_line_bytes=8)[0] == reference, cut
    assert feed_all([bytes([b]) for b in whole], max_line_bytes=8)[0] == reference


def test_offsets_are_exact_byte_offsets_including_the_terminator():
    lines, _ = feed_all([b"ab\r\n", "é\n".encode(), b"\n", b"x\n"], start=100)
    assert lines == [
        Line(100, 104, "ab"),
        Line(104, 107, "é"),  # two bytes of UTF-8 + newline
        Line(107, 108, ""),
        Line(108, 110, "x"),
    ]


def test_crlf_is_stripped_from_the_text():
    lines, _ = feed_all([b"GET / HTTP/1.1\r\n", b"plain\n"])
    assert [line.text for line in lines] == ["GET / HTTP/1.1", "plain"]


def test_a_partial_last_line_is_held_until_its_newline_arrives():
    splitter = LineSplitter(0, 1024)
    assert each_line(splitter.feed(b"one\ntw")) == [Line(0, 4, "one")]
    assert splitter.feed(b"o ha") == []
    assert splitter.consumed == 10  # the held bytes count as consumed: never read twice
    assert each_line(splitter.feed(b"lves\nthr")) == [Line(4, 15, "two halves")]


def test_flush_returns_the_held_last_line_of_a_complete_file():
    splitter = LineSplitter(0, 1024)
    splitter.feed(b"one\nlast without newline")
    assert splitter.flush() == [Line(4, 24, "last without newline")]
    assert splitter.flush() == []
    assert splitter.consumed == 24


def test_a_line_of_exactly_max_bytes_is_not_cut():
    lines, _ = feed_all([b"12345678\n"], max_line_bytes=8)
    assert lines == [Line(0, 9, "12345678", cut=False)]


def test_an_over_long_line_is_cut_to_max_bytes_and_flagged():
    lines, _ = feed_all([b"0123456789abc\nok\n"], max_line_bytes=10)
    assert lines == [Line(0, 14, "0123456789", cut=True), Line(14, 17, "ok")]


def test_the_rest_of_an_over_long_line_is_skipped_without_buffering():
    max_bytes, piece = 1024, 64 * 1024
    splitter = LineSplitter(0, max_bytes)
    line_bytes = 10 * 1024 * 1024
    for _ in range(line_bytes // piece):
        assert splitter.feed(b"x" * piece) == []
        assert len(splitter.pending) <= max_bytes  # not growing with the line
    assert splitter.consumed == line_bytes
    lines = each_line(splitter.feed(b"\nnext\n"))
    assert lines == [
        Line(0, line_bytes + 1, "x" * max_bytes, cut=True),
        Line(line_bytes + 1, line_bytes + 6, "next"),
    ]
    assert len(splitter.pending) == 0


def test_an_over_long_unterminated_last_line_is_flushed_cut():
    splitter = LineSplitter(0, 4)
    assert each_line(splitter.feed(b"ok\nabcdef")) == [Line(0, 3, "ok")]
    assert splitter.feed(b"ghij") == []
    assert splitter.flush() == [Line(3, 13, "abcd", cut=True)]


def test_invalid_utf8_becomes_replacement_characters():
    lines, _ = feed_all([b"\xff\xfe\n", b"ok \xc3\n"])
    assert [line.text for line in lines] == ["\ufffd\ufffd", "ok \ufffd"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(max_size=40), max_size=6), st.integers(1, 8))
def test_arbitrary_bytes_never_raise(pieces, max_line_bytes):
    lines, splitter = feed_all(pieces, max_line_bytes=max_line_bytes)
    whole = b"".join(pieces)
    assert lines == expected_lines(whole, max_line_bytes, complete=True)
    assert splitter.consumed == len(whole)


def test_a_block_of_plain_lines_is_one_run_and_any_other_line_is_its_own():
    splitter = LineSplitter(100, 8)
    assert splitter.feed(b"GET /\nPUT /x\n") == [LineRun(100, 113, "GET /\nPUT /x", 2)]
    pieces = splitter.feed(b"ok\n123456789\n")  # too long: cut, so no run
    assert pieces == [Line(113, 116, "ok"), Line(116, 126, "12345678", cut=True)]


@settings(max_examples=300, deadline=None)
@given(
    lines=st.lists(st.tuples(bodies, terminators), min_size=1, max_size=20),
    reads=st.integers(1, 40),
    data=st.data(),
)
def test_a_queue_hands_out_its_lines_in_chunks_of_any_sizes(lines, reads, data):
    whole = b"".join(body + end for body, end in lines)
    splitter, queue = LineSplitter(7, 6), LineQueue()
    for piece in split_at(whole, range(0, len(whole), reads)):
        queue.extend(splitter.feed(piece))
    want = expected_lines(whole, 6, complete=False, start=7)
    taken: list[Line] = []
    while queue:
        n = data.draw(st.integers(1, len(queue)))
        ends = [line.end for line in want[len(taken) : len(taken) + n]]
        assert queue.start == want[len(taken)].start and queue.end_of(n) == ends[-1]
        limit = data.draw(st.integers(0, 60))  # the most lines of the n within limit chars
        sizes = accumulate(len(line.text) + 1 for line in want[len(taken) : len(taken) + n])
        fit = max([1] + [i + 1 for i, size in enumerate(sizes) if size <= limit])
        assert queue.fitting(n, limit) == fit
        assert list(queue.lines()) == want[len(taken) :]
        taken += each_line(queue.take(n))
        assert taken == want[: len(taken)]
    assert taken == want
