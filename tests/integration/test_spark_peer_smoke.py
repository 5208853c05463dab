"""A tiny run of the Spark Streaming peer (bench/spark_peer.py), so it cannot rot.

It first builds the bench venv with tools/bench-venv (idempotent: the first time a
456 MB pyspark download, about 30 s here; under a second afterwards). The run itself
takes about a minute, most of it the JVM starting and warming up.
"""

import json
import subprocess
from pathlib import Path

import pytest

pytestmark = [pytest.mark.storm, pytest.mark.peers]  # run by make bench

PROJECT = Path(__file__).resolve().parents[2]


def test_spark_peer_counts_traffic_and_probes(tmp_path):
    venv = subprocess.run(
        [str(PROJECT / "tools" / "bench-venv")],
        cwd=PROJECT, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert venv.returncode == 0, venv.stderr
    out = tmp_path / "spark.json"
    result = subprocess.run(
        [venv.stdout.strip(), str(PROJECT / "bench" / "spark_peer.py"),
         "--rate", "100", "--fill", "5", "--secs", "10", "--json", str(out)],
        cwd=PROJECT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    rows = json.loads(out.read_text())["rows"]
    assert any(row["processed"] > 0 and row["probes_seen"] >= 1 for row in rows), rows
    assert all(row["fill"] == 5 and not row["window_full"] for row in rows), rows
