"""The dashboard's /metrics scraped by a real Prometheus server (Debian's, installed by
tools/bootstrap) during a real `sparse run` over the sample: PromQL through Prometheus'
HTTP API gives the exact lines read and counted."""

import json
import socket
import subprocess
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from dashboard_process import Dashboard
from sample_log import SAMPLE
from sparse_run import SparseRun, wait_for

pytestmark = pytest.mark.storm


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Prometheus:
    """`prometheus` on loopback, scraping target every second, its data in folder."""

    def __init__(self, folder: Path, target: str) -> None:
        folder.mkdir()
        config = folder / "prometheus.yml"
        config.write_text(json.dumps({  # YAML is a superset of JSON
            "global": {"scrape_interval": "1s"},
            "scrape_configs": [{"job_name": "logstorm", "static_configs": [{"targets": [target]}]}],
        }))  # fmt: skip
        self.port = free_port()
        self.argv = ["prometheus", f"--config.file={config}", f"--storage.tsdb.path={folder}",
                     f"--web.listen-address=127.0.0.1:{self.port}"]  # fmt: skip
        self.log = folder / "prometheus.log"

    def __enter__(self) -> "Prometheus":
        with open(self.log, "w") as log:
            self.proc = subprocess.Popen(self.argv, stdout=log, stderr=subprocess.STDOUT)
        wait_for(self.ready, 60, "Prometheus to be ready", self.log)
        return self

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)

    def ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/-/ready", timeout=2):
                return True
        except OSError:
            return False

    def query(self, promql: str) -> float | None:
        """The single value of an instant query (None: no result yet)."""
        url = f"http://127.0.0.1:{self.port}/api/v1/query?" + urllib.parse.urlencode(
            {"query": promql})  # fmt: skip
        with urllib.request.urlopen(url, timeout=5) as response:
            result = json.load(response)["data"]["result"]
        return float(result[0]["value"][1]) if result else None


def test_prometheus_scrapes_the_exact_lines_read_and_counted_of_a_run(tmp_path):
    inbox, out = tmp_path / "in", tmp_path / "out"
    inbox.mkdir()
    sink = out / "windows.jsonl"
    options = {
        "logstorm.input.path": inbox,
        "logstorm.input.mode": "spool",
        "logstorm.output.path": sink,
        "logstorm.errors.path": out / "errors.jsonl",
        "logstorm.console": "false",
    }
    lines = SAMPLE.read_bytes().count(b"\n")  # 10,000, one of them malformed
    with SparseRun("logs", tmp_path / "run.log", options) as run, Dashboard(sink) as url:
        port = int(url.rsplit(":", 1)[1].strip("/"))
        with Prometheus(tmp_path / "prometheus", f"127.0.0.1:{port}") as prometheus:
            wait_for(lambda: "speaks" in run.output(), 300, "the spout", run.log)
            (inbox / "access.log").write_bytes(SAMPLE.read_bytes())
            wait_for((inbox / "access.log.COMPLETED").exists, 240, "the sample acked", run.log)

            def scraped() -> bool:
                read = prometheus.query("sum(logstorm_lines_read_total)")
                counted = prometheus.query('logstorm_lines_counted_total{metric="status"}')
                return read == lines and counted == lines - 1

            wait_for(scraped, 60, "Prometheus to hold the run's totals", prometheus.log)
            malformed = prometheus.query("sum(logstorm_lines_malformed_total)")
            windows = prometheus.query('logstorm_windows_read_total{metric="url"}')
    assert malformed == 1 and windows and windows > 0
