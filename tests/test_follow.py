"""Reading the JSON-lines sinks while they are written."""

import json
import os

from logstorm.jsonl_file import JsonLinesFile
from logstorm.jsonl_follow import JsonLinesFollower, complete_lines


def test_a_line_cut_at_a_page_boundary_is_read_once_it_is_whole(tmp_path):
    path = tmp_path / "windows.jsonl"
    record = json.dumps({"top": [["/" + "x" * 5000, 1]]})
    path.write_text(record[:4096])  # what a reader can see mid-write
    follower = JsonLinesFollower(path)
    assert follower.read() == [] and complete_lines(path) == []
    with open(path, "a") as fh:
        fh.write(record[4096:] + "\n")
    assert follower.read() == [json.loads(record)]
    assert follower.read() == []


def test_a_missing_rotated_or_truncated_file_is_followed_from_its_start(tmp_path):
    path = tmp_path / "windows.jsonl"
    follower = JsonLinesFollower(path)
    assert follower.read() == []  # not written yet
    path.write_text('{"n": 1}\n{"n": 2}\n')
    assert [r["n"] for r in follower.read()] == [1, 2]
    with open(path, "a") as fh:
        fh.write('{"n": 2.5}\n')  # written just before the rotation, not read yet
    path.rename(tmp_path / "windows.jsonl.1")
    path.write_text('{"n": 3}\n')  # rotated: a new file, shorter than the offset read
    assert [r["n"] for r in follower.read()] == [2.5, 3]  # the old file's rest, then the new
    os.truncate(path, 0)
    with open(path, "a") as fh:
        fh.write('{"n": 4}\n{"n": 5}\n')  # copytruncate: the same file, longer again
    assert [r["n"] for r in follower.read()] == [4, 5]


def test_the_sink_appends_each_record_whole_beside_another_writer(tmp_path):
    path = tmp_path / "windows.jsonl"
    first, second = JsonLinesFile(path), JsonLinesFile(path)
    for n in range(100):
        (first if n % 2 else second).write({"n": n, "pad": "é" * 3000})
    assert [json.loads(line)["n"] for line in complete_lines(path)] == list(range(100))
