"""CommitTracker (contiguous-prefix commits) and PositionFile (atomic JSON positions)."""

import json
import os
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logstorm import atomic
from logstorm.sources.offsets import CommitTracker, PositionFile, file_id


def ranges(*ends, start=0):
    """Consecutive ranges [start, e1), [e1, e2), ..."""
    bounds = [start, *ends]
    return list(pairwise(bounds))


def test_in_order_acks_advance_the_committed_offset():
    tracker = CommitTracker(0)
    for start, end in ranges(10, 25, 40):
        tracker.ack(start, end)
        assert tracker.committed == end


def test_out_of_order_acks_commit_only_the_contiguous_prefix():
    (a, b, c, d) = ranges(10, 25, 40, 41, start=5)
    tracker = CommitTracker(5)
    tracker.ack(*c)
    tracker.ack(*b)
    assert tracker.committed == 5  # [5, 10) is still missing
    tracker.ack(*a)
    assert tracker.committed == 40  # a, b and c are now contiguous
    tracker.ack(*d)
    assert tracker.committed == 41
    assert tracker.acked == {}  # nothing left waiting


def test_replayed_and_duplicate_acks_below_committed_are_ignored():
    tracker = CommitTracker(0)
    tracker.ack(0, 10)
    tracker.ack(10, 20)
    tracker.ack(0, 10)  # a replay of an already committed range
    tracker.ack(10, 20)
    assert tracker.committed == 20
    assert tracker.acked == {}


def test_a_duplicate_ack_above_committed_does_not_advance_twice():
    tracker = CommitTracker(0)
    tracker.ack(10, 20)
    tracker.ack(10, 20)
    assert tracker.committed == 0
    tracker.ack(0, 10)
    assert tracker.committed == 20


@settings(max_examples=300, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 50), min_size=1, max_size=12),
    data=st.data(),
)
def test_committed_is_always_the_end_of_the_longest_acked_prefix(sizes, data):
    bounds = [0]
    for size in sizes:
        bounds.append(bounds[-1] + size)
    chunks = list(pairwise(bounds))
    # Any order, with some chunks acked more than once (replays).
    order = data.draw(st.permutations(range(len(chunks))))
    order += data.draw(st.lists(st.sampled_from(range(len(chunks))), max_size=5))
    tracker, acked = CommitTracker(0), set()
    for i in order:
        tracker.ack(*chunks[i])
        acked.add(i)
        prefix = next((k for k in range(len(chunks)) if k not in acked), len(chunks))
        assert tracker.committed == bounds[prefix]
    assert tracker.committed == bounds[-1]


def test_file_id_is_device_and_inode(tmp_path):
    path = tmp_path / "a.log"
    path.write_text("x\n")
    before = file_id(os.stat(path))
    path.rename(tmp_path / "b.log")
    assert file_id(os.stat(tmp_path / "b.log")) == before  # a rename keeps the identity
    assert before == f"{os.stat(tmp_path / 'b.log').st_dev}:{os.stat(tmp_path / 'b.log').st_ino}"


def test_position_file_round_trips_through_save_and_load(tmp_path):
    positions = PositionFile(tmp_path / "pos.json")
    assert positions.entries == {}  # a missing file means: nothing read yet
    positions.record("1:2", "/logs/a.log", 120)
    positions.record("1:3", "/logs/b.log.COMPLETED", 77, done=True)
    positions.run = "logs-1-1700000000"  # the run whose window state goes with them
    positions.save()

    loaded = PositionFile(tmp_path / "pos.json")
    assert loaded.entries == positions.entries
    assert loaded.run == "logs-1-1700000000"
    assert loaded.offset("1:2") == 120 and not loaded.is_done("1:2")
    assert loaded.offset("1:3") == 77 and loaded.is_done("1:3")
    assert loaded.offset("9:9") == 0 and not loaded.is_done("9:9")


def test_forget_drops_an_entry_from_the_saved_file(tmp_path):
    positions = PositionFile(tmp_path / "pos.json")
    positions.record("1:2", "a.log", 5)
    positions.record("1:3", "b.log", 6)
    positions.forget("1:2")
    positions.forget("not-there")
    positions.save()
    assert set(PositionFile(tmp_path / "pos.json").entries) == {"1:3"}


def test_save_writes_valid_json_and_leaves_no_temp_file(tmp_path):
    positions = PositionFile(tmp_path / "pos.json")
    for offset in range(5):
        positions.record("1:2", "a.log", offset)
        positions.save()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pos.json"]
    saved = json.loads((tmp_path / "pos.json").read_text())
    entry = {"path": "a.log", "offset": 4, "done": False}
    assert saved == {"version": 1, "files": {"1:2": entry}, "max_time": None, "run": None}


def test_save_replaces_the_file_whole_so_readers_never_see_a_torn_one(tmp_path):
    path = tmp_path / "pos.json"
    positions = PositionFile(path)
    positions.record("1:2", "a.log", 1)
    positions.save()
    with open(path) as old_reader:  # opened before the next save
        positions.record("1:2", "a.log", 2)
        positions.save()
        assert json.load(old_reader)["files"]["1:2"]["offset"] == 1  # old file, intact
    assert PositionFile(path).offset("1:2") == 2


def test_a_save_failing_midway_keeps_the_old_file_and_leaves_no_temp_file(tmp_path, monkeypatch):
    path = tmp_path / "pos.json"
    positions = PositionFile(path)
    positions.record("1:2", "a.log", 1)
    positions.save()

    def crash(fd):  # the temp file is written, then the disk fails before the rename
        raise OSError("disk full")

    monkeypatch.setattr(atomic.os, "fsync", crash)
    positions.record("1:2", "a.log", 2)
    with pytest.raises(OSError, match="disk full"):
        positions.save()
    monkeypatch.undo()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pos.json"]
    assert PositionFile(path).offset("1:2") == 1


@pytest.mark.parametrize(
    "content",
    ["", '{"version": 1, "files": {"1:2": {"pa', "[]", '{"version": 1}', '{"files": []}'],
    ids=["empty", "truncated", "not-an-object", "no-files", "files-not-an-object"],
)
def test_a_corrupt_position_file_raises_value_error_saying_how_to_fix_it(tmp_path, content):
    path = tmp_path / "pos.json"
    path.write_text(content)
    with pytest.raises(ValueError, match="position file") as err:
        PositionFile(path)
    message = str(err.value)
    assert str(path) in message
    assert "fix:" in message and "delete it" in message
