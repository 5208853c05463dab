"""A flood of garbage on a real LocalCluster: disk stays bounded, nothing is lost.

Hundreds of megabytes of random bytes and over-long lines, mixed with real lines,
replayed by event time: the windows of the real lines are exactly the reference's
(read across the rotated windows files), every bad line is counted by reason, and the
windows and errors files stay within their configured sizes.
"""

import json
import os
import random
from pathlib import Path

import pytest
from event_reference import as_jsonl, reference_windows
from sparse_run import SparseRun, wait_for

from logstorm.jsonl_file import rotated_paths
from logstorm.jsonl_follow import complete_lines
from logstorm.parsing.combiner import NOT_UTF8
from logstorm.traffic import TrafficGenerator

pytestmark = pytest.mark.storm

LATENESS = 30
CUT = "line too long: cut at the configured maximum"
WINDOWS_MAX, WINDOWS_KEEP = 512 * 1024, 5
ERRORS_MAX, ERRORS_KEEP = 256 * 1024, 1


def write_flood(path: Path, real: list[str], rng: random.Random) -> dict[str, int]:
    """real lines, each followed by a line of 1-3 kB of random bytes, and every 100th by
    a 2 MB line; the bad lines written, by the reason the analyzer gives them."""
    bad = {NOT_UTF8: 0, CUT: 0}
    with open(path, "wb") as fh:
        for i, line in enumerate(real):
            fh.write(line.encode() + b"\n")
            noise = rng.randbytes(rng.randint(1000, 3000)).replace(b"\n", b"").replace(b"\r", b"")
            fh.write(b"\xff" + noise + b"\n")  # \xff: never UTF-8
            bad[NOT_UTF8] += 1
            if i % 100 == 0:
                fh.write(b"y" * 2_000_000 + b"\n")
                bad[CUT] += 1
    return bad


def files_size(path: Path, keep: int) -> int:
    return sum(p.stat().st_size for p in rotated_paths(path, keep) if p.exists())


def test_a_flood_of_garbage_is_counted_in_bounded_disk_and_every_real_line_counted(tmp_path):
    inbox, out = tmp_path / "in", tmp_path / "out"
    inbox.mkdir()
    real = list(TrafficGenerator(seed=3).lines(20_000, rate=20.0))  # 1,000 s of log time
    flood = tmp_path / "flood.log"
    bad = write_flood(flood, real, random.Random(3))
    assert flood.stat().st_size > 300_000_000  # several hundred MB
    options = {
        "logstorm.input.path": inbox,
        "logstorm.input.mode": "spool",
        "logstorm.time": "event",
        "logstorm.allowed_lateness_secs": LATENESS,
        "logstorm.output.path": out / "windows.jsonl",
        "logstorm.output.max.bytes": WINDOWS_MAX,
        "logstorm.output.keep": WINDOWS_KEEP,
        "logstorm.errors.path": out / "errors.jsonl",
        "logstorm.errors.max.bytes": ERRORS_MAX,
        "logstorm.errors.keep": ERRORS_KEEP,
        "logstorm.state.path": out / "state",
        "logstorm.console": "false",
    }
    want, late = reference_windows(real, LATENESS)
    sinks = rotated_paths(out / "windows.jsonl", WINDOWS_KEEP)

    def written() -> list[str]:  # oldest file first
        return [line for p in reversed(sinks) if p.exists() for line in complete_lines(p)]

    tally = out / "errors.counts.json"
    with SparseRun("logs", tmp_path / "run.log", options) as run:
        wait_for(lambda: "speaks" in run.output(), 300, "the spout", run.log)
        os.rename(flood, inbox / "access.log")
        done = inbox / "access.log.COMPLETED"  # every line acked
        wait_for(done.exists, 240, "the flood to be read and acked", run.log)
        wait_for(lambda: len(written()) >= len(want), 120, f"{len(want)} windows", run.log)
        wait_for(lambda: tally.exists() and sum(json.loads(tally.read_text())["malformed"].values())
                 == sum(bad.values()), 60, "the tally of every bad line", run.log)  # fmt: skip
    rows = sorted(written(), key=lambda r: (json.loads(r)["metric"], json.loads(r)["window_end"]))
    assert rows == as_jsonl(want) and not late  # every real line counted, every window once
    counts = json.loads(tally.read_text())
    assert counts["malformed"] == bad and counts["late"] == {}
    assert 0 < counts["not_written"] < sum(bad.values())  # samples written within the budget
    assert (out / "windows.jsonl.1").exists()  # the windows did rotate
    assert files_size(out / "windows.jsonl", WINDOWS_KEEP) <= (WINDOWS_KEEP + 1) * WINDOWS_MAX
    assert files_size(out / "errors.jsonl", ERRORS_KEEP) <= (ERRORS_KEEP + 1) * ERRORS_MAX
