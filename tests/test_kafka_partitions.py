"""The Kafka spout's core without a broker: partition assignment, chunks, committed offsets."""

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from logstorm.sources.chunk_id import parse_chunk_id
from logstorm.sources.chunks import CHUNK_CHARS, LineOffsets
from logstorm.sources.partitions import KafkaChunks, assigned_partitions


@given(partitions=st.integers(1, 12), data=st.data())
def test_each_partition_is_read_by_exactly_one_task(partitions, data):
    tasks = data.draw(st.integers(1, partitions))
    owners = [t for t in range(tasks) for _ in assigned_partitions(partitions, t, tasks)]
    read = sorted(p for t in range(tasks) for p in assigned_partitions(partitions, t, tasks))
    assert read == list(range(partitions))
    assert set(owners) == set(range(tasks))  # no idle task while tasks <= partitions


def records(partition, first, values):
    """add()'s arguments for values at consecutive offsets from first."""
    return partition, range(first, first + len(values)), values


def test_chunks_of_one_partition_have_contiguous_ranges_and_record_offsets():
    chunks = KafkaChunks("t", batch_lines=2, max_line_bytes=100)
    chunks.resume(3, committed=None)  # no commit yet: the first record read decides
    chunks.add(*records(3, 40, [b"a\n", b"b\r\n", b"c"]))
    first, second = chunks.next_chunk(), chunks.next_chunk()
    assert (first.msg_id, first.path) == ("t/3/40-42", "t/3")
    assert [(line.start, line.text) for line in first.lines] == [(40, "a"), (41, "b")]
    assert second.msg_id == "t/3/42-43"
    assert chunks.next_chunk() is None
    # offsets the broker skipped (e.g. a transaction marker at 43) fall into the next range
    chunks.add(3, [44], [b"d"])
    assert chunks.next_chunk().msg_id == "t/3/43-45"


def test_a_chunk_of_long_records_stops_at_chunk_chars_of_text_so_no_tuple_is_huge():
    chunks = KafkaChunks("t", batch_lines=1000, max_line_bytes=CHUNK_CHARS)
    chunks.resume(0, committed=0)
    values = [b"x" * (CHUNK_CHARS // 4) if i % 2 else b"GET / 200" for i in range(20)]
    chunks.add(*records(0, 0, values))
    read = list(iter(chunks.next_chunk, None))
    assert all(len(chunk.text()) <= CHUNK_CHARS for chunk in read)
    assert [line.text.encode() for chunk in read for line in chunk.lines] == values  # once each
    # as many records as fit: three long ones, not a fourth
    assert [parse_chunk_id(c.msg_id)[1:] for c in read] == [(0, 7), (7, 13), (13, 19), (19, 20)]


def test_the_committed_offset_moves_over_the_acked_prefix_only():
    chunks = KafkaChunks("t", batch_lines=1, max_line_bytes=100)
    chunks.resume(0, committed=10)
    chunks.add(*records(0, 10, [b"a", b"b", b"c"]))
    a, b, c = (chunks.next_chunk() for _ in range(3))
    assert chunks.commits() == {}  # nothing acked: Kafka keeps what it had
    chunks.ack(c.msg_id)
    chunks.ack(b.msg_id)
    assert chunks.commits() == {}  # [10, 11) still missing
    chunks.ack(a.msg_id)
    assert chunks.commits() == {0: 13}
    assert chunks.commits() == {}  # handed out once...
    chunks.commit_failed(0)
    assert chunks.commits() == {0: 13}  # ...unless committing it failed
    chunks.ack(a.msg_id)  # acked twice: ignored
    assert chunks.pending() == 0


def test_a_failed_chunk_is_sent_again_however_often_before_new_records():
    chunks = KafkaChunks("t", batch_lines=5, max_line_bytes=100)
    chunks.resume(1, committed=0)
    chunks.add(*records(1, 0, [b"x", b"y"]))
    chunk = chunks.next_chunk()
    chunks.add(*records(1, 2, [b"z"]))
    for _ in range(5):
        chunks.fail(chunk.msg_id)
        assert chunks.next_chunk() is chunk
    chunks.ack(chunk.msg_id)
    assert chunks.next_chunk().msg_id == "t/1/2-3"


def test_long_and_undecodable_records_are_flagged_or_replaced_not_dropped():
    chunks = KafkaChunks("t", batch_lines=10, max_line_bytes=4)
    chunks.resume(0, committed=0)
    chunks.add(*records(0, 0, [b"123456789", b"ab\xffcd"]))
    long, bad = chunks.next_chunk().lines
    assert (long.text, long.cut) == ("1234", True)
    assert (bad.text, bad.cut) == ("ab\ufffdc", True)  # cut too: 5 bytes


def defined_line(value: bytes, limit: int) -> tuple[str, bool]:
    """What a record is as a line, by definition: its value without a trailing newline,
    newlines inside escaped, cut to limit bytes, decoded with replacement."""
    value = value.rstrip(b"\n").rstrip(b"\r").replace(b"\n", b"\\n")
    return value[:limit].decode("utf-8", errors="replace"), len(value) > limit


@settings(max_examples=300, deadline=None)
@given(
    values=st.lists(
        st.sampled_from(
            [b"GET /a", b"", b"x" * 9, b"a\nb", b"ok\r\n", b"\xffz", b"a\rb", b"PUT /b\n"]
        ),
        min_size=1,
        max_size=40,
    ),
    gaps=st.lists(st.integers(1, 3), min_size=40, max_size=40),
    polls=st.lists(st.integers(1, 40), max_size=5),
    batch=st.integers(1, 9),
    limit=st.integers(1, 8),
)
def test_records_reach_the_tuple_as_their_definition_says_whatever_the_polls(
    values, gaps, polls, batch, limit
):
    # plain runs (one string) and irregular records (a Line each) must give alike
    offsets = [100 + sum(gaps[:i]) for i in range(len(values))]
    chunks = KafkaChunks("t", batch_lines=batch, max_line_bytes=limit)
    chunks.resume(0, committed=None)
    bounds = sorted({0, len(values), *(p for p in polls if p < len(values))})
    for a, b in itertools.pairwise(bounds):  # as the polls brought them
        chunks.add(0, offsets[a:b], values[a:b])
    texts, at, cut = [], [], []
    while (chunk := chunks.next_chunk()) is not None:
        sent = chunk.values()
        lines = sent.text.split("\n")
        cut += [len(texts) + i for i in sent.cut]
        at += LineOffsets.from_list(sent.at).offsets(lines)
        texts += lines
        assert len(lines) == chunk.count
    defined = [defined_line(v, limit) for v in values]
    assert texts == [text for text, _ in defined]
    assert at == offsets
    assert cut == [i for i, (_, was_cut) in enumerate(defined) if was_cut]


@settings(max_examples=150, deadline=None)
@given(
    sizes=st.lists(st.integers(0, 30), min_size=1, max_size=4),
    batch=st.integers(1, 7),
    schedule=st.randoms(use_true_random=False),
)
def test_whatever_the_ack_order_every_record_is_delivered_and_committed(sizes, batch, schedule):
    chunks = KafkaChunks("t", batch_lines=batch, max_line_bytes=100)
    for partition, size in enumerate(sizes):
        chunks.resume(partition, committed=100)
        chunks.add(*records(partition, 100, [f"{partition}:{i}".encode() for i in range(size)]))
    delivered, outstanding = set(), []
    while (chunk := chunks.next_chunk()) is not None or outstanding:
        if chunk is not None:
            delivered.update(line.text for line in chunk.lines)
            outstanding.append(chunk.msg_id)
        if outstanding and (chunk is None or schedule.random() < 0.5):
            msg_id = outstanding.pop(schedule.randrange(len(outstanding)))
            if schedule.random() < 0.3:
                chunks.fail(msg_id)  # replayed later
            else:
                chunks.ack(msg_id)
    want = {f"{p}:{i}" for p, size in enumerate(sizes) for i in range(size)}
    assert delivered == want
    committed = {p: 100 + size for p, size in enumerate(sizes) if size}
    assert chunks.commits() == committed and chunks.pending() == 0


def cut(chunks):
    ids = []
    while (chunk := chunks.next_chunk()) is not None:
        ids.append(chunk.msg_id)
    return ids


def test_chunks_are_cut_at_multiples_of_the_batch_so_a_restart_re_cuts_them_alike():
    first = KafkaChunks("t", batch_lines=4, max_line_bytes=100)
    first.resume(0, committed=0)
    first.add(*records(0, 0, [b"x"] * 3))
    ids = cut(first)  # only 3 records polled yet: a short chunk
    first.add(*records(0, 3, [b"x"] * 7))
    ids += cut(first)
    assert ids == ["t/0/0-3", "t/0/3-4", "t/0/4-8", "t/0/8-10"]
    # restarted at the end of an acked chunk, with every record there this time
    for committed, rest in ((3, ids[1:]), (4, ids[2:])):
        again = KafkaChunks("t", batch_lines=4, max_line_bytes=100)
        again.resume(0, committed=committed)
        again.add(*records(0, committed, [b"x"] * (10 - committed)))
        assert cut(again) == rest


def test_a_bounded_read_stops_at_the_end_and_is_drained_once_all_is_acked():
    chunks = KafkaChunks("t", batch_lines=10, max_line_bytes=100)
    chunks.resume(0, committed=2, end=5)
    chunks.resume(1, committed=7, end=7)  # nothing to read there
    assert not chunks.at_end(0) and chunks.at_end(1)
    chunks.add(*records(0, 2, [b"a", b"b", b"c", b"past the end"]))
    [chunk] = [chunks.next_chunk()]
    assert [line.text for line in chunk.lines] == ["a", "b", "c"] and chunks.next_chunk() is None
    assert chunks.at_end(0) and not chunks.drained()  # read, not yet acknowledged
    chunks.ack(chunk.msg_id)
    assert chunks.drained() and chunks.commits() == {0: 5}


def test_a_chunk_cut_short_before_a_restart_is_cut_at_the_same_offset_after_it():
    first = KafkaChunks("t", batch_lines=10, max_line_bytes=100)
    first.resume(0, committed=0)
    first.add(*records(0, 0, [b"x"] * 4))  # all the partition had then
    short = first.next_chunk()
    assert short.msg_id == "t/0/0-4"
    # restarted at the committed offset 0, the partition has grown: cut at 4 again
    again = KafkaChunks("t", batch_lines=10, max_line_bytes=100, cuts={"t/0/0": 4})
    again.resume(0, committed=0)
    again.add(*records(0, 0, [b"x"] * 2))
    assert again.next_chunk() is None  # not polled up to 4 yet: wait
    again.add(*records(0, 2, [b"x"] * 10))
    assert [again.next_chunk().msg_id for _ in range(3)] == ["t/0/0-4", "t/0/4-10", "t/0/10-12"]
    assert again.is_committed("t/0/0-4", {0: 4}) and not again.is_committed("t/0/4-10", {0: 4})
