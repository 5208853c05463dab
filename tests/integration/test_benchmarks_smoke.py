"""Tiny runs of the benchmarks, so they cannot rot (figures go to a temp file)."""

import subprocess
import sys

import pytest
from sparse_run import PROJECT

pytestmark = pytest.mark.storm


def bench(script: str, *args: str, out, timeout: float = 600) -> str:
    result = subprocess.run(
        [sys.executable, str(PROJECT / "bench" / script), *args, "--out", str(out)],
        cwd=PROJECT, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return out.read_text()


def test_parse_rate_benchmark_runs(tmp_path):
    report = bench("parse_rate.py", "--passes", "1", "--runs", "1", out=tmp_path / "b.md")
    assert "| logstorm |" in report and "| course regex |" in report


def test_live_latency_benchmark_runs_on_files_and_through_kafka(kafka, tmp_path):
    report = bench("live_latency.py", "--rates", "200", "--secs", "5", "--inputs", "files",
                   "kafka", out=tmp_path / "b.md")  # fmt: skip
    assert "| files | dir | 200 |" in report and "| kafka | dir | 200 |" in report  # per input


def test_profile_benchmark_runs(tmp_path):
    report = bench("profile_logs.py", "--rate", "1000", "--secs", "3", "--settle", "5",
                   out=tmp_path / "b.md")  # fmt: skip
    assert "| AccessLogParseBolt (pid" in report and "| LogFileSpout (pid" in report
    assert "| Thread-#-parse-executor[#, #] | 2 |" in report  # the JVM's threads, by kind


def rows(report: str) -> dict[str, list[str]]:
    """A markdown table's rows by their first cell."""
    found = {}
    for line in report.splitlines():
        if line.startswith("| ") and not line.startswith("|---"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            found[cells[0]] = cells
    return found


def test_replay_benchmark_replays_and_checks_logstorms_windows_against_the_reference(tmp_path):
    # What proves replay.py runs: its logstorm replay (warm-up file, then the measured
    # one), timed and checked against the reference in the same invocation. The peers
    # (PyFlink, Bytewax, Quix, Pathway) are left to `make bench`: each builds a venv of
    # its own (Pathway's 1.6 GB; some 5 minutes on a fresh clone) and bench/peer_check.py
    # checks each peer's windows there on every run.
    report = bench("replay.py", "--lines", "5000", "--serializers", "msgpack",
                   out=tmp_path / "b.md")  # fmt: skip
    row = rows(report)["logstorm, msgpack"]
    assert row[1] == "5,000", row
    assert row[-2] == "yes", f"logstorm's windows are not the reference's: {row}"
    assert row[-1] == "0", f"lines dropped as late: {row}"


def test_scaling_benchmark_reads_a_topic_with_spout_tasks(kafka, tmp_path):
    report = bench("scaling.py", "--lines", "20000", "--parse", "--kafka-tasks", "2",
                   out=tmp_path / "b.md")  # fmt: skip
    row = rows(report)["kafka"]
    assert row[1:3] == ["2", "2"] and row[-1] == "yes"
