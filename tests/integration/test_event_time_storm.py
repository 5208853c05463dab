"""Event time on a real Storm LocalCluster (`sparse run`): the spooled sample replayed at
full speed gives exactly the reference's windows, whatever the batch size and the
multilang serializer."""

import functools
import json
from collections import Counter
from pathlib import Path

import pytest
from event_reference import as_jsonl, reference_windows
from sample_log import SAMPLE, window_rows
from sparse_run import SparseRun, wait_for

from logstorm.jsonl_follow import complete_lines, complete_records

pytestmark = pytest.mark.storm

LATENESS = 30  # the sample is shuffled within each minute: many lines come too late


@functools.cache
def sample_reference() -> tuple[list[dict], Counter]:
    """The brute-force reference's windows and late lines of the sample (some seconds)."""
    return reference_windows(SAMPLE.read_text().splitlines(), LATENESS)


def replay(
    tmp_path: Path, name: str, serializer: str | None = None, **extra
) -> tuple[list[str], list[dict], dict]:
    """Spool the sample in event time; return (windows as sorted JSON lines, errors, tally)."""
    inbox, out = tmp_path / name / "in", tmp_path / name / "out"
    inbox.mkdir(parents=True)
    (inbox / "access.log").write_bytes(SAMPLE.read_bytes())
    options = {
        "logstorm.input.path": inbox,
        "logstorm.input.mode": "spool",
        "logstorm.time": "event",
        "logstorm.allowed_lateness_secs": LATENESS,
        "logstorm.output.path": out / "windows.jsonl",
        "logstorm.errors.path": out / "errors.jsonl",
        "logstorm.errors.samples.per.minute": 100_000,  # every late line written
        "logstorm.state.path": out / "state",
        "logstorm.console": "false",
        **extra,
    }
    tally = out / "errors.counts.json"
    with SparseRun("logs", tmp_path / f"{name}.log", options, serializer=serializer) as run:
        done = inbox / "access.log.COMPLETED"  # renamed once every line is acked
        wait_for(done.exists, 300, "the sample to be spooled", run.log)
        wait_for(lambda: tally.exists() and "url" in tally.read_text(), 60, "the tally", run.log)
        expected = len(sample_reference()[0])
        sink = out / "windows.jsonl"
        wait_for(lambda: len(complete_lines(sink)) >= expected, 120,
                 f"{expected} windows", run.log)  # fmt: skip
        run.interrupt()
        wait_for(lambda: not run.group_alive(), 60, "sparse run to stop", run.log)
    rows = window_rows(sink)
    errors = complete_records(out / "errors.jsonl")
    return rows, errors, json.loads(tally.read_text())


def test_replayed_sample_gives_the_reference_windows_for_any_batch_size_and_serializer(tmp_path):
    want, late = sample_reference()
    first, errors, tally = replay(tmp_path, "default")
    assert first == as_jsonl(want)  # every window, every count, every ranking, in JSON bytes
    assert tally == {"late": dict(late), "malformed": {"unterminated user-agent field": 1},
                     "not_written": 0}  # fmt: skip
    late_records = [e for e in errors if e["reason"] == "late"]
    assert len(late_records) == sum(late.values())
    assert {e["metric"] for e in late_records} == {"url", "status", "host"}

    # config.json's serializer (msgpack) above; JSON here, with other chunks
    second, _, _ = replay(tmp_path, "small-chunks", "json", **{"logstorm.input.batch.lines": 37})
    assert second == first
    assert "logfiles task 0 speaks json with Storm's org.apache.storm.multilang.JsonSerializer" in (
        tmp_path / "small-chunks.log").read_text()  # fmt: skip
