"""A chunk crosses Storm as one text and its line offsets; the parse bolt's core gets
back every line and, for the ones it rejects, the offset the source read it at."""

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from logstorm.parsing.combiner import count_chunk
from logstorm.sources.chunks import BYTES, Chunk, LineOffsets
from logstorm.sources.lines import LineSplitter
from logstorm.sources.partitions import KafkaChunks

file_bytes = st.lists(
    st.one_of(
        st.binary(max_size=40),
        st.sampled_from([b"\n", b"\r\n", b"\xff\xfe", b"\xc3\xa9", b"\xe2\x82", b"\x00", b"\r"]),
    ),
    max_size=30,
).map(b"".join)


@given(data=file_bytes, max_line_bytes=st.integers(1, 50))
@settings(max_examples=300)
def test_a_files_lines_keep_their_text_and_offsets_through_the_tuple(data, max_line_bytes):
    splitter = LineSplitter(7, max_line_bytes)
    pieces = tuple(splitter.feed(data) + splitter.flush())
    if not pieces:
        return
    chunk = Chunk("c", "a.log", pieces)
    lines = chunk.lines
    path, text, at, cut, *_ = json.loads(json.dumps(chunk.values().values()))
    texts = text.split("\n")
    assert texts == [line.text for line in lines]
    assert LineOffsets.from_list(at).offsets(texts) == [line.start for line in lines]
    assert cut == [i for i, line in enumerate(lines) if line.cut]
    # every line the parser rejects is reported at its offset
    errors = count_chunk(path, text, at, cut).errors
    assert {e["offset"] for e in errors} <= {line.start for line in lines}
    assert len(errors) == len(lines)  # none of these is an access-log line


def test_only_lines_that_break_the_rule_carry_their_offset():
    lines = LineSplitter(0, 5).feed(b"ab\ncd\r\nef\n\xffg\nhi\n" + b"x" * 9 + b"\nok\n")
    at = LineOffsets.of(lines, BYTES)
    # "ef" follows a CRLF, "hi" follows undecodable bytes, "ok" follows a cut line
    assert at.elsewhere == ((2, 7), (4, 13), (6, 26))


def test_records_of_a_partition_count_one_offset_each_and_gaps_are_kept():
    chunks = KafkaChunks("t", batch_lines=10, max_line_bytes=100)
    chunks.resume(0, committed=None)
    chunks.add(0, [5, 6, 9], [b"a", b"b", b"c"])
    chunk = chunks.next_chunk()
    sent = chunk.values()
    path, text, at = sent.path, sent.text, sent.at
    assert (text, at) == ("a\nb\nc", [5, "records", [[2, 9]]])
    assert [e["offset"] for e in count_chunk(path, text, at, []).errors] == [5, 6, 9]


def test_a_record_holding_a_newline_stays_one_line():
    chunks = KafkaChunks("t", batch_lines=10, max_line_bytes=100)
    chunks.resume(0, committed=None)
    chunks.add(0, [0, 1], [b"one\ntwo\n", b"three"])
    path, text, at, cut, *_ = chunks.next_chunk().values().values()
    errors = count_chunk(path, text, at, cut).errors
    assert [(e["offset"], e["line"]) for e in errors] == [(0, "one\\ntwo"), (1, "three")]
