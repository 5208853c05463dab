"""A tiny run of bench/wordcount_peers.py (all three topologies), so it cannot rot."""

import subprocess
import sys

import pytest
from sparse_run import PROJECT

pytestmark = [pytest.mark.storm, pytest.mark.peers]  # run by make bench

PEERS = (
    "Python (streamparse)",
    "Java (storm-starter bolts)",
    "all Java (storm-starter FastWordCountTopology)",
)


def table_rows(report: str) -> dict[str, list[str]]:
    """Cells of the report's table rows, by topology name (first column)."""
    rows = (line.strip("|").split("|") for line in report.splitlines() if line.startswith("| "))
    return {cells[0].strip(): [c.strip() for c in cells[1:]] for cells in rows}


def test_wordcount_peers_benchmark_runs_all_three_topologies(tmp_path):
    out = tmp_path / "b.md"
    argv = [sys.executable, str(PROJECT / "bench" / "wordcount_peers.py"), "--secs", "4",
            "--warmup", "2", "--out", str(out), "--logs", str(tmp_path / "logs")]  # fmt: skip
    result = subprocess.run(argv, cwd=PROJECT, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = out.read_text()
    assert "<!-- wordcount:begin -->" in report and "Ratio Python / Java" in report
    assert "Python / all Java (the Storm ceiling)" in report
    rows = table_rows(report)
    for name in PEERS:
        run, counted, _count_acked, acked = rows[name][:4]
        assert run == "1"
        assert float(counted.replace(",", "")) > 0, report  # words counted per second
        assert float(acked.replace(",", "")) > 0, report  # sentences acked at the spout
