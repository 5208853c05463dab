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


def test_replay_benchmark_checks_every_engines_windows_against_the_reference(kafka, tmp_path):
    # one PyFlink variant proves the peer's path runs (make bench times both), and the
    # Python peers each on a check file, then timed on 2,000 lines; the first run of a
    # peer builds its venv (Pathway's is 1.6 GB)
    report = bench("replay.py", "--lines", "20000", "--serializers", "msgpack", "--flink", "sql",
                   "--peers", "bytewax", "quix", "pathway", "--peer-lines", "2000",
                   out=tmp_path / "b.md", timeout=1200)  # fmt: skip
    table = rows(report)
    assert table["logstorm, msgpack"][1] == "20,000" and table["PyFlink 2.3, sql"][1] == "20,000"
    for engine in ("logstorm, msgpack", "Bytewax 0.21.1", "Quix Streams 3.28", "Pathway 0.33"):
        assert table[engine][-2] == "yes", f"{engine}: windows not the reference's"
    assert table["Bytewax 0.21.1"][-1] == "0" and table["Quix Streams 3.28"][-1] == "0"


def test_scaling_benchmark_reads_a_topic_with_spout_tasks(kafka, tmp_path):
    report = bench("scaling.py", "--lines", "20000", "--parse", "--kafka-tasks", "2",
                   out=tmp_path / "b.md")  # fmt: skip
    row = rows(report)["kafka"]
    assert row[1:3] == ["2", "2"] and row[-1] == "yes"
