"""The log analyzer on a real Storm LocalCluster through `sparse run`."""

import itertools
import json
import os
import re
import signal
import subprocess
from pathlib import Path

import pytest
from sample_log import (
    BROKEN_LINE,
    SAMPLE,
    STATUSES,
    expected_url_top,
    first_window_with_total,
    windows,
)
from sparse_run import PROJECT, SparseRun, default_sigint, wait_for

from logstorm.jsonl_follow import complete_records

STORM_LOG_LINE = re.compile(r"^\d\d:\d\d:\d\d\.\d{3} +(TRACE|DEBUG|INFO|WARN|ERROR) ", re.M)

pytestmark = pytest.mark.storm


def test_tailed_sample_log_gives_exact_windows_and_routes_the_broken_line(tmp_path):
    raw = SAMPLE.read_bytes()
    lines = raw.decode().splitlines()
    good = [line for i, line in enumerate(lines, 1) if i != BROKEN_LINE]
    inbox, out = tmp_path / "in", tmp_path / "out"
    inbox.mkdir()
    options = {
        "logstorm.input.path": inbox,
        "logstorm.input.pattern": "access.log",
        "logstorm.output.path": out / "windows.jsonl",
        "logstorm.errors.path": out / "errors.jsonl",
        "logstorm.console": "false",
    }
    with SparseRun("logs", tmp_path / "run.log", options) as run:
        log = inbox / "access.log"
        log.touch()
        wait_for(lambda: windows(out / "windows.jsonl", "url"), 240, "a first window", run.log)
        half = len(raw) // 2
        with open(log, "ab") as fh:  # appended live, the second piece splits a line
            fh.write(raw[:half])
            fh.flush()
            wait_for(lambda: first_window_with_total(out / "windows.jsonl", "url", 1), 60,
                     "the first lines counted", run.log)  # fmt: skip
            fh.write(raw[half:])
        sink = out / "windows.jsonl"
        url = wait_for(lambda: first_window_with_total(sink, "url", len(good)),
                       120, f"a URL window with {len(good)} requests", run.log)  # fmt: skip
        status = wait_for(lambda: first_window_with_total(sink, "status", len(good)),
                          120, "a status window with every request", run.log)  # fmt: skip
        positions = inbox / ".logstorm-positions.json"

        def committed() -> list[int]:
            return [p["offset"] for p in json.loads(positions.read_text())["files"].values()]

        # Acks follow the windows by about a second (window bolts ack once journaled).
        wait_for(lambda: committed() == [len(raw)], 60, "every line committed", run.log)
        run.interrupt()
        wait_for(lambda: not run.group_alive(), 60, "sparse run to stop", run.log)

    assert url["total"] == len(good) and status["total"] == len(good)
    assert url["top"] == expected_url_top(good, 10)
    assert url["distinct"] == len({line.split('"')[1].split(" ")[1] for line in good})
    assert dict(status["top"]) == STATUSES
    assert (url["time"], url["window_secs"] <= 300, url["slide_secs"]) == ("processing", True, 1)
    assert (status["slide_secs"], status["window_end"] % 5) == (5, 0)
    errors = complete_records(out / "errors.jsonl")
    offset = sum(len(line) + 1 for line in lines[: BROKEN_LINE - 1])
    assert errors == [
        {"reason": "unterminated user-agent field", "path": str(log), "offset": offset,
         "line": lines[BROKEN_LINE - 1]}
    ]  # fmt: skip


def test_readme_main_command_shows_live_windows(tmp_path):
    """tools/run-live (what `make run` starts): generator + logs topology, stopped by Ctrl-C.
    Its run folder is the session's (LOGSTORM_RUN), not the project's run/, which a
    user's `make run` reads; its dashboard on any free port, not 8765."""
    out = Path(os.environ["LOGSTORM_RUN"]) / "logs" / "windows.jsonl"
    already = out.stat().st_size if out.exists() else 0

    def new_url_windows():
        if not out.exists():
            return None
        with open(out) as fh:
            fh.seek(already)
            found = [json.loads(x) for x in fh.read().splitlines()]
        return [w for w in found if w["metric"] == "url" and w["total"] > 0]

    with open(tmp_path / "run.log", "wb") as log:
        proc = subprocess.Popen(
            [str(PROJECT / "tools" / "run-live")], cwd=PROJECT, stdout=log,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
            env={**os.environ, "RATE": "200", "DASHBOARD_PORT": "0"}, preexec_fn=default_sigint,
        )  # fmt: skip
    try:
        live = wait_for(new_url_windows, 240, "windows of live traffic", tmp_path / "run.log")
        assert live[-1]["top"] and live[-1]["distinct"] > 1
        later = wait_for(
            lambda: (w := new_url_windows()) and w[-1]["total"] > live[-1]["total"] and w,
            60, "the window to grow with live traffic", tmp_path / "run.log",
        )  # fmt: skip
        assert later[-1]["window_end"] > live[-1]["window_end"]
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=60)
    # The terminal shows the start line and the tables; Storm's logging is in its file.
    console = (tmp_path / "run.log").read_text().splitlines()
    (up,) = [line for line in console if line.startswith("logs is up: ")]
    storm_log = Path(os.environ["LOGSTORM_SPARSE_LOGS"]) / "sparse-run-logs.log"
    assert f"windows in {out}" in up and f"Storm's log in {storm_log}" in up
    dashboard = rf"dashboard: http://127\.0\.0\.1:\d+/ \({re.escape(str(out))}\)"
    assert [line for line in console if re.fullmatch(dashboard, line)]  # make run starts it
    tables = [i for i, line in enumerate(console) if line.startswith("url window ending")]
    assert len(tables) >= 2
    rows = list(itertools.takewhile(lambda line: line.startswith("  "), console[tables[-2] + 1 :]))
    counts = [int(row.split()[0]) for row in rows]
    assert rows and counts == sorted(counts, reverse=True)  # ranked, like pprint()
    assert [line for line in console if STORM_LOG_LINE.match(line)] == []
    assert STORM_LOG_LINE.search(storm_log.read_text())  # ...and kept in its file
