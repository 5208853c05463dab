"""The terminal's view of `sparse run -n logs` (logstorm.output.console.LogsConsole)."""

import json

from logstorm.monitoring.status import status_dir, write_status
from logstorm.output.console import LogsConsole


def window(end, top):
    total = sum(n for _, n in top)
    return {"metric": "url", "time": "processing", "window_end": end, "window_secs": 300,
            "slide_secs": 1, "total": total, "distinct": len(top), "top": top}  # fmt: skip


def append(path, *records, tail=""):
    with open(path, "a") as fh:
        fh.write("".join(json.dumps(r) + "\n" for r in records) + tail)


def progress(done, finished=False):
    return {"mode": "spool", "files_done": int(finished), "files_total": 1, "bytes_done": done,
            "bytes_total": 1000, "lines": done, "lines_per_sec": 100.0, "secs": 10.0,
            "eta_secs": 0.0 if finished else 5.0, "finished": finished}  # fmt: skip


def test_it_says_once_when_the_topology_is_up_then_prints_each_new_window_as_a_table(tmp_path):
    windows = tmp_path / "windows.jsonl"
    append(windows, window(100, [["/old", 1]]))  # an earlier run's: not news
    options = {"logstorm.output.path": str(windows), "logstorm.errors.path": "e.jsonl"}
    console = LogsConsole(options, storm_log=tmp_path / "storm.log", started=1000.0)
    write_status(status_dir(windows), 0, {"at": 999.0, "progress": None})  # an earlier run
    assert console.lines() == []
    write_status(status_dir(windows), 0, {"at": 1001.0, "progress": None})
    append(windows, window(101, [["/", 7], ["/a", 3]]), tail='{"metric": "ur')  # half written
    (up, table) = console.lines()
    assert up.startswith(f"logs is up: windows in {windows}, errors in e.jsonl")
    assert table.splitlines() == [
        "url window ending 00:01:41Z (last 300s, every 1s): 10 requests, 2 distinct",
        "  7  /",
        "  3  /a",
    ]
    assert console.lines() == []  # nothing new; the half-written record waits


def test_replay_progress_is_printed_when_it_moves_and_when_the_replay_ends(tmp_path):
    windows = tmp_path / "windows.jsonl"
    options = {"logstorm.output.path": str(windows), "logstorm.errors.path": "e.jsonl"}
    console = LogsConsole(options, storm_log="storm.log", started=0.0)
    folder = status_dir(windows)
    write_status(folder, 0, {"at": 1.0, "progress": progress(500)})
    assert console.lines()[1].startswith("replay: 0 of 1 files, 0.0 of 0.0 MB (50%)")
    write_status(folder, 0, {"at": 2.0, "progress": progress(500)})
    assert console.lines() == []  # no news
    write_status(folder, 0, {"at": 3.0, "progress": progress(1000, finished=True)})
    assert console.lines() == [
        "replay finished: 1 files, 0.0 MB, 1,000 lines in 10 s (100 lines/s)"
    ]
