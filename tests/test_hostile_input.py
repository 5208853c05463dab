"""Hostile input, fuzzed: whatever the bytes, the parser, the parse bolt's counting and
the file reader neither crash nor hang, and every line they refuse is accounted for
with a reason (docs/log-analyzer.md: bad input gets a clear error and loses nothing)."""

import contextlib
import os
import signal

from hypothesis import given, settings
from hypothesis import strategies as st

from logstorm.parsing.accesslog import AccessRecord, MalformedLine, parse_line
from logstorm.parsing.combiner import count_chunk
from logstorm.sources.chunks import Chunk
from logstorm.sources.files import LogDirectoryReader
from logstorm.sources.lines import LineSplitter
from logstorm.sources.offsets import PositionFile

GOOD = '203.0.113.9 - - [17/May/2015:10:05:03 +0000] "GET /a?b=1 HTTP/1.1" 200 512 "-" "bot"'
HOSTILE = '\x00\r\n\t "[]\\-+:/?%\xe9\u20ac\ufffd\U0001f600'

# Lines that look almost right: the good line with a few hostile characters put in,
# cut short, or doubled; and plain noise.
mutated = st.builds(
    lambda cut, pos, junk, twice: (GOOD[:cut] + junk + GOOD[pos:]) * twice,
    st.integers(0, len(GOOD)),
    st.integers(0, len(GOOD)),
    st.text(alphabet=HOSTILE, max_size=6),
    st.integers(1, 3),
)
hostile_lines = st.one_of(mutated, st.text(max_size=300), st.text(alphabet=HOSTILE, max_size=300))


@contextlib.contextmanager
def within(seconds: int):
    """Fail, instead of hanging the suite, if the block takes longer than seconds."""

    def hung(*_):
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@settings(max_examples=400, deadline=500)  # ms per line: no regex backtracking blow-up
@given(hostile_lines)
def test_the_parser_returns_a_record_or_names_what_is_wrong(line):
    try:
        record = parse_line(line)
    except MalformedLine as err:
        assert err.reason and isinstance(err.reason, str)
    else:
        assert isinstance(record, AccessRecord) and isinstance(record.time, int)


def test_a_line_of_megabytes_parses_in_linear_time():
    for line in (
        GOOD[:60] + "x" * 2_000_000,
        "1.2.3.4 - - [" + "[" * 2_000_000,
        "\x00" * 2_000_000,
    ):
        with within(10), contextlib.suppress(MalformedLine):
            parse_line(line)


@settings(max_examples=200, deadline=None)
@given(st.lists(hostile_lines, min_size=1, max_size=20), st.data())
def test_every_line_of_a_chunk_is_counted_or_an_error_with_a_reason(lines, data):
    texts = [text.replace("\n", " ").replace("\r", " ") for text in lines]  # one line each
    cut = data.draw(st.lists(st.integers(0, len(texts) - 1), unique=True))
    splitter = LineSplitter(0, 1 << 20)
    split = splitter.feed("".join(t + "\n" for t in texts).encode("utf-8", "surrogatepass"))
    chunk = Chunk("f/0/0", "a.log", tuple(split))
    split = chunk.lines
    sent = chunk.values()
    text, at = sent.text, sent.at
    counts = count_chunk("a.log", text, at, cut)
    assert all(error["reason"] for error in counts.errors)
    assert {e["offset"] for e in counts.errors} <= {line.start for line in split}
    assert sum(counts.counts["status"].values()) + len(counts.errors) == len(split)


def reader(folder, mode="tail"):
    positions = PositionFile(folder.parent / f"positions-{mode}.json")
    source = LogDirectoryReader(str(folder), "*.log", mode, positions, max_line_bytes=1024)
    source.scan()
    return source


def drain(source):
    chunks = []
    while (chunk := source.next_chunk()) is not None:
        source.ack(chunk.msg_id)
        chunks.append(chunk)
    return [line for chunk in chunks for line in chunk.lines]


def test_a_log_replaced_by_a_folder_or_a_fifo_is_skipped_without_blocking(tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "a.log").write_text(GOOD + "\n")
    source = reader(logs)
    assert [line.text for line in drain(source)] == [GOOD]
    (logs / "a.log").unlink()
    (logs / "a.log").mkdir()  # the name now points to a folder
    os.mkfifo(logs / "b.log")  # opening a FIFO for reading would block until a writer comes
    with within(10):
        source.scan()
        assert source.next_chunk() is None
        again = reader(logs)
        assert again.next_chunk() is None


def test_crlf_mixes_nuls_invalid_utf8_a_huge_line_and_a_cut_last_line(tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    data = (
        GOOD.encode() + b"\r\n"
        + b"\x00\x00\xff\xfe junk\n"
        + b"x" * 3_000_000 + b"\n"  # longer than max_line_bytes: cut, then skipped to its end
        + GOOD.encode() + b"\r\r\n"
        + GOOD.encode()[:40]  # no newline yet
    )  # fmt: skip
    (logs / "a.log").write_bytes(data)
    with within(30):
        tail = drain(reader(logs))
        spool = drain(reader(logs, mode="spool"))
    assert [line.cut for line in tail] == [False, False, True, False]
    assert tail[2].end == data.index(b"\n", tail[2].start) + 1 and len(tail[2].text) <= 1024
    assert spool[:4] == tail and spool[4].text == GOOD[:40]  # spooled files are whole
    counts = count_chunk("a.log", *Chunk("f/0/0", "a.log", tuple(spool)).values().values()[1:3],
                         [i for i, line in enumerate(spool) if line.cut])  # fmt: skip
    assert sum(counts.counts["status"].values()) == 2
    assert len(counts.errors) == 3 and all(e["reason"] for e in counts.errors)
