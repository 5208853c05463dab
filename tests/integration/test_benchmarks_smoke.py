"""Tiny runs of the benchmarks, so they cannot rot (figures go to a temp file)."""

import subprocess
import sys

import pytest
from sparse_run import PROJECT

pytestmark = pytest.mark.storm


def bench(script: str, *args: str, out) -> str:
    result = subprocess.run(
        [sys.executable, str(PROJECT / "bench" / script), *args, "--out", str(out)],
        cwd=PROJECT, capture_output=True, text=True, timeout=600,
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


def test_replay_benchmark_runs_under_each_serializer_and_on_pyflink(tmp_path):
    # one PyFlink variant proves the peer's path runs (make bench times both), within the
    # suite's budget
    report = bench("replay.py", "--lines", "20000", "--flink", "sql", out=tmp_path / "b.md")
    assert "| logstorm, json | 20,000 |" in report and "| logstorm, msgpack | 20,000 |" in report
    assert "| PyFlink 2.3, sql | 20,000 |" in report
