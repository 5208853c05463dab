"""LogDirectoryReader on real files in a temporary folder, and LogFileSpout through the harness.

The reader is synchronous: each test changes the folder, then calls scan()/next_chunk()
itself, so nothing waits for time to pass (except the spout's idle-sleep measurement).
"""

import itertools
import json
import os
import shutil
import time

import pytest

from harness import SpoutHarness
from logstorm.monitoring.status import read_statuses, status_dir
from logstorm.sources.chunks import CHUNK_CHARS
from logstorm.sources.files import LogDirectoryReader
from logstorm.sources.offsets import PositionFile, file_id
from logstorm.streams import ChunkTuple
from spouts.logfiles import LogFileSpout


@pytest.fixture
def logs(tmp_path):
    folder = tmp_path / "logs"
    folder.mkdir()
    return folder


@pytest.fixture
def position_path(tmp_path):
    return tmp_path / "positions.json"


def make_reader(logs, position_path, mode="tail", pattern="*.log", **kwargs):
    reader = LogDirectoryReader(str(logs), pattern, mode, PositionFile(position_path), **kwargs)
    reader.scan()
    return reader


def append(path, data):
    with open(path, "ab") as fh:
        fh.write(data.encode() if isinstance(data, str) else data)


def numbered(first, last, name="line"):
    return "".join(f"{name} {i}\n" for i in range(first, last + 1))


def drain(reader, *, ack=False):
    """Every chunk next_chunk gives until it has nothing more (acking each if asked)."""
    chunks = []
    while (chunk := reader.next_chunk()) is not None:
        chunks.append(chunk)
        if ack:
            reader.ack(chunk.msg_id)
        assert len(chunks) < 10_000, "next_chunk never ran dry"
    return chunks


def texts(chunks):
    return [line.text for chunk in chunks for line in chunk.lines]


def saved_offset(reader, position_path, path):
    """The committed offset of the file at path, as the saved position file says."""
    reader.positions.save()
    return PositionFile(position_path).offset(file_id(os.stat(path)))


# -- tail mode ---------------------------------------------------------------------------


def test_a_chunk_of_long_lines_stops_at_chunk_chars_of_text_so_no_tuple_is_huge(
    logs, position_path
):
    log = logs / "app.log"
    long, short = "x" * 60_000, "GET / 200"
    append(log, "".join(f"{long}\n" if i % 2 else f"{short}\n" for i in range(200)))
    reader = make_reader(logs, position_path, batch_lines=1000)
    chunks = drain(reader)
    assert texts(chunks) == [long if i % 2 else short for i in range(200)]  # every line, once
    assert all(len(c.text()) <= CHUNK_CHARS for c in chunks) and len(chunks) == 3
    # as many lines as fit: the next chunk's first line would have passed the limit
    for chunk, after in itertools.pairwise(chunks):
        assert len(chunk.text()) + 1 + len(after.lines[0].text) + 1 > CHUNK_CHARS


def test_tail_emits_appended_lines_in_order_in_chunks_of_at_most_batch_lines(logs, position_path):
    log = logs / "app.log"
    append(log, numbered(1, 5))
    reader = make_reader(logs, position_path, batch_lines=2)

    chunks = drain(reader)
    assert [len(c.lines) for c in chunks] == [2, 2, 1]
    assert texts(chunks) == [f"line {i}" for i in range(1, 6)]
    assert all(c.path == str(log) for c in chunks)
    assert [c.start for c in chunks] == [0, chunks[0].end, chunks[1].end]
    assert chunks[-1].end == log.stat().st_size

    append(log, numbered(6, 8))
    more = drain(reader)
    assert texts(more) == ["line 6", "line 7", "line 8"]
    assert more[0].start == chunks[-1].end  # continues exactly where it stopped
    assert all(len(c.lines) <= 2 for c in more)


def test_tail_holds_a_trailing_line_without_newline_until_it_is_completed(logs, position_path):
    log = logs / "app.log"
    append(log, "first\nsecond, still being writ")
    reader = make_reader(logs, position_path)

    assert texts(drain(reader)) == ["first"]
    assert drain(reader) == []  # asking again does not release the partial line
    reader.scan()
    assert drain(reader) == []

    append(log, "ten\nthird\n")
    chunks = drain(reader)
    assert texts(chunks) == ["second, still being written", "third"]
    assert chunks[0].start == len("first\n")


def test_new_files_are_picked_up_after_scan(logs, position_path):
    append(logs / "a.log", "from a\n")
    reader = make_reader(logs, position_path)
    assert texts(drain(reader)) == ["from a"]

    append(logs / "b.log", "from b\n")
    assert drain(reader) == []  # not known before the next scan
    reader.scan()
    chunks = drain(reader)
    assert texts(chunks) == ["from b"]
    assert chunks[0].path == str(logs / "b.log")


def test_files_not_matching_the_pattern_and_dotfiles_are_ignored(logs, position_path):
    append(logs / "app.log", "wanted\n")
    append(logs / "notes.txt", "not a log\n")
    append(logs / "app.log.gz", "not a log either\n")
    append(logs / ".hidden.log", "a dotfile\n")
    (logs / "folder.log").mkdir()  # matches the pattern but is no file
    reader = make_reader(logs, position_path)
    assert texts(drain(reader)) == ["wanted"]
    assert [f.path for f in reader.files.values()] == [str(logs / "app.log")]


def test_rotation_by_rename_drains_the_old_file_then_reads_the_new_one(logs, position_path):
    log, rotated = logs / "access.log", logs / "access.log.1"
    writer = open(log, "ab")  # noqa: SIM115 - a logger keeps its file open across the rename
    writer.write(numbered(1, 3).encode())
    writer.flush()
    reader = make_reader(logs, position_path, pattern="access.log", batch_lines=2)
    assert texts(drain(reader, ack=True)) == ["line 1", "line 2", "line 3"]
    old_id = file_id(os.stat(log))

    writer.write(b"line 4\n")  # written before the rotation, not read yet
    writer.flush()
    log.rename(rotated)
    writer.write(b"line 5\nline 6 without newline")  # the old inode, after the rename
    writer.close()
    append(log, numbered(7, 8))  # the new access.log

    reader.scan()
    chunks = drain(reader, ack=True)
    assert texts(chunks) == ["line 4", "line 5", "line 6 without newline", "line 7", "line 8"]
    new_chunks = [c for c in chunks if c.lines[0].text in ("line 7", "line 8")]
    assert new_chunks[0].start == 0  # the new file is read from its start
    old_chunks = [c for c in chunks if c not in new_chunks]
    assert {c.path for c in old_chunks} == {str(rotated)}  # errors name the file as it is now
    assert {c.path for c in new_chunks} == {str(log)}

    reader.scan()
    assert old_id not in reader.files  # drained, acked, closed
    assert old_id not in reader.positions.entries
    assert list(reader.files) == [file_id(os.stat(log))]
    assert drain(reader) == []


def test_an_unreadable_file_is_skipped_and_read_once_it_becomes_readable(
    logs, position_path, monkeypatch
):
    reader = make_reader(logs, position_path)
    log = logs / "a.log"
    append(log, "line 1\n")
    real_open = open

    def no_permission(path, *args, **kwargs):
        if str(path) == str(log):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", no_permission)
    reader.scan()
    monkeypatch.undo()
    assert reader.unreadable == {str(log): "Permission denied"}
    assert drain(reader) == []
    reader.scan()  # readable again
    assert reader.unreadable == {}
    assert texts(drain(reader)) == ["line 1"]


def test_copytruncate_is_noticed_even_when_the_new_content_outgrew_the_old(logs, position_path):
    log = logs / "app.log"
    append(log, "old 1\nold 2\n")
    reader = make_reader(logs, position_path, batch_lines=10)
    assert texts(drain(reader, ack=True)) == ["old 1", "old 2"]
    with open(log, "r+b") as fh:
        fh.truncate(0)
    append(log, numbered(1, 5, "new"))  # longer than what was read before the scan
    reader.scan()
    assert texts(drain(reader, ack=True)) == [f"new {i}" for i in range(1, 6)]


def test_copytruncate_restarts_reading_at_zero_with_the_new_lines(logs, position_path):
    log = logs / "app.log"
    append(log, numbered(1, 4, "old"))
    reader = make_reader(logs, position_path, batch_lines=2)
    first, second = drain(reader)
    reader.ack(first.msg_id)  # second is still in flight when the file is truncated

    with open(log, "r+b") as fh:
        fh.truncate(0)
    append(log, "new 1\nnew 2\n")
    reader.scan()

    assert reader.pending() == 0  # chunks of the old content no longer count
    reader.ack(second.msg_id)  # a late ack of the old content is harmless
    chunks = drain(reader, ack=True)
    assert texts(chunks) == ["new 1", "new 2"]
    assert chunks[0].start == 0
    assert chunks[0].msg_id not in (first.msg_id, second.msg_id)
    assert saved_offset(reader, position_path, log) == log.stat().st_size


def copytruncate(log, copy_name):
    """As logrotate's copytruncate: copy the log aside, then truncate it in place."""
    shutil.copyfile(log, log.with_name(copy_name))
    with open(log, "r+b") as fh:
        fh.truncate(0)


@pytest.mark.parametrize("pattern, copy_name", [("*.log", "app.log.1"), ("*", "app.log.1"),
                                                 ("*.log", "app-20261206.log")])  # fmt: skip
def test_copytruncate_reads_the_unread_lines_from_the_copy_and_none_twice(
    logs, position_path, pattern, copy_name
):
    log = logs / "app.log"
    append(log, numbered(1, 4, "old"))
    reader = make_reader(logs, position_path, pattern=pattern, batch_lines=2, in_order=True)
    first = reader.next_chunk()  # old 1-2 read and in flight; old 3-4 ready, not sent
    append(log, numbered(5, 6, "old"))  # written after the last read: only the copy has them
    copytruncate(log, copy_name)
    append(log, "new 1\n")
    reader.scan()
    reader.ack(first.msg_id)  # the chunk in flight still counts: its lines are the copy's
    chunks = drain(reader, ack=True)
    # in event time's order: the copy's older lines first
    assert texts(chunks) == ["old 3", "old 4", "old 5", "old 6", "new 1"]
    reader.scan()  # a copy the pattern matches is the same file, not a new one
    assert drain(reader) == []
    assert saved_offset(reader, position_path, log) == log.stat().st_size


def test_a_truncated_file_is_not_taken_for_a_copy_of_another(logs, position_path):
    log, other = logs / "app.log", logs / "other.txt"
    append(log, numbered(1, 2, "old"))
    append(other, numbered(1, 9, "old"))  # the same first bytes, other bytes further on
    reader = make_reader(logs, position_path, batch_lines=10)
    assert texts(drain(reader, ack=True)) == ["old 1", "old 2"]
    append(log, "old x\n")
    with open(other, "r+b") as fh:  # not what app.log held where its reading stopped
        fh.seek(len(b"old 1\nold 2\n") - 2)
        fh.write(b"X")
    with open(log, "r+b") as fh:
        fh.truncate(0)
    append(log, "new 1\n")
    reader.scan()
    assert texts(drain(reader, ack=True)) == ["new 1"]


# -- reliability ----------------------------------------------------------------------------


def test_a_failed_chunk_is_sent_again_before_new_lines_however_often_it_fails(logs, position_path):
    append(logs / "app.log", numbered(1, 6))
    reader = make_reader(logs, position_path, batch_lines=2)
    first, second = reader.next_chunk(), reader.next_chunk()

    for _ in range(5):
        reader.fail(first.msg_id)
        again = reader.next_chunk()
        assert again.msg_id == first.msg_id
        assert again.lines == first.lines
        assert reader.pending() == 2  # never dropped

    reader.ack(first.msg_id)
    reader.ack(second.msg_id)
    assert texts([reader.next_chunk()]) == ["line 5", "line 6"]
    assert reader.next_chunk() is None


def test_ack_commits_only_over_contiguous_acked_chunks(logs, position_path):
    log = logs / "app.log"
    append(log, numbered(1, 6))
    reader = make_reader(logs, position_path, batch_lines=2)
    first, second, third = drain(reader)

    reader.ack(second.msg_id)
    assert saved_offset(reader, position_path, log) == 0  # the first chunk is not acked yet
    reader.ack(first.msg_id)
    assert saved_offset(reader, position_path, log) == second.end
    reader.ack(first.msg_id)  # acked twice: no effect
    assert saved_offset(reader, position_path, log) == second.end
    reader.ack(third.msg_id)
    assert saved_offset(reader, position_path, log) == third.end == log.stat().st_size


def test_lag_is_each_open_files_bytes_not_yet_committed(logs, position_path):
    log = logs / "app.log"
    append(log, numbered(1, 4))
    reader = make_reader(logs, position_path, batch_lines=2)
    first, second = drain(reader)
    assert reader.lag() == {str(log): log.stat().st_size}  # read, nothing acknowledged
    reader.ack(first.msg_id)
    assert reader.lag() == {str(log): log.stat().st_size - first.end}
    append(log, numbered(5, 5))  # written, not read yet: behind too
    reader.ack(second.msg_id)
    assert reader.lag() == {str(log): len("line 5\n")}


def test_pending_counts_unacked_chunks_and_allow_new_false_gives_only_failed_ones(
    logs, position_path
):
    append(logs / "app.log", numbered(1, 6))
    reader = make_reader(logs, position_path, batch_lines=2)
    first, second = reader.next_chunk(), reader.next_chunk()
    assert reader.pending() == 2

    assert reader.next_chunk(allow_new=False) is None  # new lines exist but are not allowed
    reader.fail(second.msg_id)
    assert reader.pending() == 2  # a failed chunk is still pending
    assert reader.next_chunk(allow_new=False) == second
    assert reader.next_chunk(allow_new=False) is None

    reader.ack(first.msg_id)
    assert reader.pending() == 1
    reader.ack(second.msg_id)
    assert reader.pending() == 0
    assert texts([reader.next_chunk()]) == ["line 5", "line 6"]


@pytest.mark.parametrize("renamed", [False, True], ids=["same-name", "renamed-while-stopped"])
def test_a_restarted_reader_resumes_after_the_last_acked_chunk(logs, position_path, renamed):
    log = logs / "app.log"
    append(log, numbered(1, 6))
    reader = make_reader(logs, position_path, batch_lines=2)
    first, _second = reader.next_chunk(), reader.next_chunk()
    reader.ack(first.msg_id)
    reader.positions.save()
    reader.close()

    if renamed:
        log = log.rename(logs / "app-2024.log")  # same inode, a name still matching *.log
    restarted = make_reader(logs, position_path, batch_lines=2)
    chunks = drain(restarted)
    # The un-acked second chunk is read again: at-least-once.
    assert texts(chunks) == ["line 3", "line 4", "line 5", "line 6"]
    assert chunks[0].start == first.end
    assert chunks[0].path == str(log)


# -- spool mode -------------------------------------------------------------------------------


def test_spool_reads_a_complete_file_once_then_marks_it_completed(logs, position_path):
    log = logs / "day1.log"
    append(log, "a\nb\nlast line without newline")
    reader = make_reader(logs, position_path, mode="spool", pattern="*", batch_lines=2)
    fid = file_id(os.stat(log))

    chunks = drain(reader)
    assert texts(chunks) == ["a", "b", "last line without newline"]
    assert chunks[-1].end == log.stat().st_size

    reader.ack(chunks[0].msg_id)
    reader.scan()
    assert log.exists()  # not every line is acked yet
    for chunk in chunks[1:]:
        reader.ack(chunk.msg_id)
    reader.scan()

    done = logs / "day1.log.COMPLETED"
    assert not log.exists() and done.exists()
    assert reader.positions.is_done(fid)
    assert reader.positions.entries[fid]["path"] == str(done)
    assert drain(reader) == []
    reader.positions.save()
    reader.close()

    again = make_reader(logs, position_path, mode="spool", pattern="*", batch_lines=2)
    assert drain(again) == []


def test_spool_with_empty_done_suffix_keeps_the_name_and_skips_the_file_when_done(
    logs, position_path
):
    log = logs / "day1.log"
    append(log, "a\nb\n")
    reader = make_reader(logs, position_path, mode="spool", done_suffix="")
    assert texts(drain(reader, ack=True)) == ["a", "b"]
    reader.scan()

    assert sorted(p.name for p in logs.iterdir()) == ["day1.log"]
    saved = saved_offset(reader, position_path, log)
    assert saved == log.stat().st_size
    assert PositionFile(position_path).is_done(file_id(os.stat(log)))
    assert drain(reader) == []
    reader.close()

    again = make_reader(logs, position_path, mode="spool", done_suffix="")
    assert drain(again) == []
    assert again.files == {}


def test_spool_resends_a_failed_chunk_and_completes_only_after_its_ack(logs, position_path):
    log = logs / "day1.log"
    append(log, numbered(1, 4))
    reader = make_reader(logs, position_path, mode="spool", batch_lines=2)
    first, second = drain(reader)
    reader.ack(second.msg_id)
    reader.fail(first.msg_id)
    reader.scan()
    assert log.exists()
    assert reader.next_chunk() == first
    reader.ack(first.msg_id)
    reader.scan()
    assert not log.exists() and (logs / "day1.log.COMPLETED").exists()


# -- bad bytes --------------------------------------------------------------------------------


def test_invalid_utf8_is_decoded_with_replacement_characters(logs, position_path):
    append(logs / "app.log", b"ok\n\xff\xfebad \xc3\n")
    reader = make_reader(logs, position_path)
    assert texts(drain(reader)) == ["ok", "\ufffd\ufffdbad \ufffd"]


def test_an_over_long_line_comes_out_cut_and_flagged(logs, position_path):
    append(logs / "app.log", "short\n" + "x" * 100 + "\nafter\n")
    reader = make_reader(logs, position_path, max_line_bytes=8)
    lines = [line for chunk in drain(reader) for line in chunk.lines]
    assert [(line.text, line.cut) for line in lines] == [
        ("short", False),
        ("x" * 8, True),
        ("after", False),
    ]
    assert (lines[1].start, lines[1].end) == (6, 107)


# -- the spout ----------------------------------------------------------------------------------


def spout(logs, **conf):
    return SpoutHarness(
        LogFileSpout,
        {
            "logstorm.input.path": str(logs),
            "logstorm.input.mode": "spool",
            "logstorm.input.batch.lines": 2,
            "logstorm.output.path": str(logs.parent / "out" / "windows.jsonl"),
            "logstorm.errors.path": str(logs.parent / "out" / "errors.jsonl"),
            "topology.max.spout.pending": 2,
            **conf,
        },
        name="logfiles",
    )


def test_spout_emits_a_chunk_as_one_text_with_its_offsets_and_cut_lines(logs):
    log = logs / "app.log"
    append(log, "a\n" + "y" * 20 + "\nc\n")
    h = spout(logs, **{"logstorm.input.max.line.bytes": 10})
    (first,) = h.next_tuple()
    (second,) = h.next_tuple()
    # path, the lines' text, where they start, cut lines, chunk id, event-time stamp
    # (processing time: None); the line after the cut one does not start after its text
    assert first["tuple"] == [str(log), "a\n" + "y" * 10, [0, "bytes", []], [1], first["id"], None]
    assert second["tuple"] == [str(log), "c", [23, "bytes", []], [], second["id"], None]
    assert first["id"] and second["id"] and first["id"] != second["id"]


def test_a_spool_replay_says_in_its_status_file_how_far_it_is_until_it_is_finished(logs):
    append(logs / "a.log", numbered(1, 6))
    append(logs / "b.log", numbered(7, 10))
    h = spout(logs, **{"topology.max.spout.pending": 100, "logstorm.input.poll.secs": 1e-6})
    (status,) = read_statuses(status_dir(logs.parent / "out" / "windows.jsonl"))
    assert status["task"] == 0 and status["progress"]["finished"] is False  # up, not read yet
    for _ in range(20):  # 5 chunks, then the scans that retire the files
        for tup in h.next_tuple():
            h.ack(tup["id"])
    # the replay is over and says so at once, not at the next 5 s report
    (status,) = read_statuses(status_dir(logs.parent / "out" / "windows.jsonl"))
    size = sum(len(path.read_bytes()) for path in logs.glob("*.COMPLETED"))
    assert status["progress"] == {**status["progress"], "files_done": 2, "files_total": 2,
                                  "bytes_done": size, "bytes_total": size, "lines": 10,
                                  "eta_secs": 0.0, "finished": True}  # fmt: skip


def test_spout_honours_max_spout_pending_and_resumes_after_an_ack(logs):
    append(logs / "app.log", numbered(1, 8))
    h = spout(logs)
    first, second = h.next_tuple() + h.next_tuple()
    assert h.next_tuple() == []  # 2 pending: no new tuple
    assert h.next_tuple() == []

    h.ack(first["id"])
    (third,) = h.next_tuple()
    assert third["tuple"][1] == "line 5\nline 6"
    assert h.next_tuple() == []
    h.ack(second["id"])
    h.ack(third["id"])
    (fourth,) = h.next_tuple()
    assert fourth["tuple"][1] == "line 7\nline 8"


def test_spout_re_emits_a_failed_tuple_with_the_same_id(logs):
    append(logs / "app.log", numbered(1, 4))
    h = spout(logs)
    first, second = h.next_tuple() + h.next_tuple()
    h.fail(first["id"])
    (again,) = h.next_tuple()  # allowed although 2 are pending: it is not new
    assert again["id"] == first["id"] and again["tuple"] == first["tuple"]
    h.ack(first["id"])
    h.ack(second["id"])

    h.component.deactivate()  # saves are throttled to one a second; deactivate forces one
    positions = json.loads((logs / ".logstorm-positions.json").read_text())["files"]
    assert [entry["offset"] for entry in positions.values()] == [len(numbered(1, 4))]


def test_spout_without_its_input_folder_fails_naming_the_option(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"logstorm\.input\.path"):
        spout(tmp_path / "missing")


def test_an_idle_spout_sleeps_a_little_instead_of_spinning(logs):
    h = spout(logs)
    durations = []
    for _ in range(20):
        started = time.monotonic()
        assert h.next_tuple() == []
        durations.append(time.monotonic() - started)
    assert max(durations) < 0.5  # returns promptly to Storm
    assert sum(durations) >= 0.5  # but does not busy-loop


def test_a_chunk_becomes_the_tuple_the_parse_bolt_counts(logs, position_path):
    from logstorm.parsing.combiner import count_chunk

    append(logs / "a.log", "x\n" + "y" * 20 + "\n")
    [chunk] = drain(make_reader(logs, position_path, max_line_bytes=10))
    assert chunk.values().values()[:4] == [
        str(logs / "a.log"),
        "x\n" + "y" * 10,
        [0, "bytes", []],
        [1],
    ]
    counts = count_chunk(*chunk.values().values()[:4])
    assert [(e["offset"], e["reason"]) for e in counts.errors] == [
        (0, "fewer than three fields before the timestamp"),
        (2, "line too long: cut at the configured maximum"),
    ]


def test_a_line_of_invalid_utf8_goes_aside_with_its_offset(logs, position_path):
    from logstorm.parsing.combiner import count_chunk

    good = clf(1).encode()
    append(logs / "a.log", good + good.replace(b"GET /", b"GET /\xff\xfe"))
    [chunk] = drain(make_reader(logs, position_path))
    counts = count_chunk(*chunk.values().values()[:4])
    assert counts.counts["url"] == {"/": 1}
    assert [(e["offset"], e["reason"]) for e in counts.errors] == [(len(good), "not valid UTF-8")]


def clf(second: int) -> str:
    return f'1.2.3.4 - - [17/May/2015:10:05:{second:02d} +0000] "GET / HTTP/1.1" 200 5\n'


def watermarks(emits):
    return [m["tuple"][0] for m in emits if m.get("stream") == "watermarks"]


EVENT = {"logstorm.time": "event", "logstorm.allowed_lateness_secs": 5}
T0 = 1431857100  # 17/May/2015:10:05:00


def test_event_time_spout_stamps_chunks_and_closes_every_window_when_the_spool_is_done(logs):
    append(logs / "b.log", clf(30) + clf(31))  # read second: files go by name
    append(logs / "a.log", clf(20) + clf(10))  # 10 is late: the newest is 20, lateness 5
    h = spout(logs, **EVENT)
    first = h.next_tuple()
    chunk = next(m for m in first if m.get("stream") is None)
    assert ChunkTuple(*chunk["tuple"]).path == str(logs / "a.log")
    assert ChunkTuple(*chunk["tuple"]).event == {
        "watermark": -(2**62),
        "late": {"url": [1], "status": [1], "host": [1]},
    }
    assert watermarks(first) == [-(2**62)]  # a's chunk is not acked: nothing is complete
    h.component.next_save = 0  # positions due: the ack is saved at once (else within 1 s)
    h.ack(chunk["id"])
    h.component.next_watermark = 0  # due now (broadcasts are at most 5 a second)
    second = h.next_tuple()
    assert watermarks(second) == [T0 + 20 - 5]  # b's chunk was stamped with it
    h.component.next_save = 0
    h.ack(next(m for m in second if m.get("stream") is None)["id"])
    h.next_tuple()  # finds the end of b.log
    h.component.next_scan = h.component.next_watermark = 0  # a scan retires it; broadcast
    assert watermarks(h.next_tuple()) == [2**62]  # input over: every window closes
    assert sorted(p.name for p in logs.iterdir() if not p.name.startswith(".")) == [
        "a.log.COMPLETED",
        "b.log.COMPLETED",
    ]
    h.component.deactivate()  # saves the positions now (else within a second)
    assert json.loads((logs / ".logstorm-positions.json").read_text())["max_time"] == T0 + 31


def test_event_time_spout_in_tail_mode_advances_the_watermark_after_an_idle_timeout(logs):
    append(logs / "a.log", clf(20))
    h = spout(logs, **EVENT, **{"logstorm.input.mode": "tail", "logstorm.idle_timeout_secs": 0.2})
    [chunk] = [m for m in h.next_tuple() if m.get("stream") is None]
    h.component.next_save = 0  # positions due: the ack is saved at once
    h.ack(chunk["id"])
    h.component.next_watermark = 0
    assert watermarks(h.next_tuple()) == [T0 + 15]
    read_at = h.component.last_read
    time.sleep(1.2)  # quiet for longer than the timeout: the clock moves it on
    h.component.next_watermark = 0
    [moved] = watermarks(h.next_tuple())
    quiet = time.monotonic() - read_at
    assert 1 <= moved - (T0 + 15) <= quiet  # by the whole seconds of quiet


def test_a_restarted_tail_spout_cuts_and_stamps_the_end_of_a_growing_file_as_before(logs):
    tail = {**EVENT, "logstorm.input.mode": "tail"}
    append(logs / "a.log", clf(20))  # one line of a two-line batch: cut at what was written
    h = spout(logs, **tail)
    [sent] = [m for m in h.next_tuple() if m.get("stream") is None]
    # the spout dies before the chunk is acked; meanwhile the file grows
    append(logs / "a.log", clf(40) + clf(10))
    restarted = spout(logs, **tail)
    [again] = [m for m in restarted.next_tuple() if m.get("stream") is None]
    assert (again["id"], again["tuple"]) == (sent["id"], sent["tuple"])  # counted once downstream
    [after] = [m for m in restarted.next_tuple() if m.get("stream") is None]
    assert ChunkTuple(*after["tuple"]).event["late"] == {
        "url": [1],
        "status": [1],
        "host": [1],
    }  # 10 after 40
    assert after["id"].startswith(sent["id"].rsplit("/", 1)[0]) and after["id"] != sent["id"]


def test_a_chunk_cut_differently_is_another_chunk(logs, position_path):
    append(logs / "app.log", numbered(1, 1))
    first = make_reader(logs, position_path, batch_lines=2).next_chunk()
    append(logs / "app.log", numbered(2, 2))
    again = make_reader(logs, position_path, batch_lines=2).next_chunk()  # no cut log
    assert again.start == first.start and again.msg_id != first.msg_id


def test_an_acked_chunk_holds_the_watermark_back_until_its_offsets_are_saved(logs):
    append(logs / "a.log", clf(20) + clf(21) + clf(40) + clf(41))
    h = spout(logs, **EVENT, **{"logstorm.input.mode": "tail"})
    first = next(m for m in h.next_tuple() if m.get("stream") is None)
    second = next(m for m in h.next_tuple() if m.get("stream") is None)
    h.component.next_save = 0
    h.ack(first["id"])  # saved at once
    h.component.next_save = float("inf")  # the next save is not due yet
    h.ack(second["id"])
    h.component.next_watermark = 0
    # a restart would send the second chunk again, so window tasks must still know it
    assert (
        watermarks(h.next_tuple())
        == [ChunkTuple(*second["tuple"]).event["watermark"]]
        == [T0 + 21 - 5]
    )
    h.component.next_save = h.component.next_watermark = 0
    h.next_tuple()  # saves the positions: now the second chunk is done
    h.component.next_watermark = 0
    assert watermarks(h.next_tuple()) == [T0 + 41 - 5]
