"""The dashboard in a real headless Chromium, read from its rendered DOM while it streams.

Part one feeds the server a JSON-lines file the test writes from the real sample log
(by event time: the page must draw May 2015; by arrival time, appended live: each new
window drawn without a reload, and timed from the sink's write to the screen; the
server restarted: the page reconnects and draws the history again). Part two (marked
``storm``) loads the page during a real ``sparse run -n logs`` over the sample.
Screenshots are kept in test-artifacts/ (git-ignored).
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

import pytest
import suite_env
from dashboard_process import Dashboard
from event_reference import key_of, reference_from_events, reference_windows
from live_page import LivePage
from sample_log import (
    BROKEN_LINE,
    SAMPLE,
    expected_host_top,
    expected_url_top,
    first_window_with_total,
    windows,
)
from sparse_run import SparseRun, wait_for

ARTIFACTS = suite_env.ARTIFACTS
HISTORY_SECS = 900  # the server's default: 15 minutes of status windows

# Everything the page shows that a test checks, as the DOM holds it.
READ_PAGE = """(() => {
  // a ranking panel exists once the page has its first history (its metrics)
  const d = (id) => (document.getElementById(id) || { dataset: {} }).dataset;
  return {
    top: [...document.querySelectorAll('#top-url li')]
      .map(li => [li.dataset.key, Number(li.dataset.count)]),
    url_end: Number(d('top-url').windowEnd),
    hosts: [...document.querySelectorAll('#top-host li')]
      .map(li => [li.dataset.key, Number(li.dataset.count)]),
    host_end: Number(d('top-host').windowEnd),
    points: Number(d('status-chart').points),
    first_end: Number(d('status-chart').firstEnd),
    mode: d('time-mode').mode,
    window_end_text: document.getElementById('window-end').textContent,
    lag: document.getElementById('lag').textContent,
    rps: Number(d('rps').value),
    distinct: Number(d('distinct').value),
    malformed: Number(d('malformed').value),
    partial: d('partial').partial,
    connection: d('connection').state,
    renders: Number(document.body.dataset.renders),
    tasks: Number(d('health').tasks),
    lines_per_sec: Number(d('lines-per-sec').value),
    p99: Number(d('p99').value),
    progress: document.getElementById('progress').hidden ? null : {
      finished: d('progress').finished,
      files: document.getElementById('progress-files').textContent,
      eta: document.getElementById('progress-eta').textContent,
    },
  };
})()"""


def page_when(page: LivePage, condition: str, timeout: float = 30) -> dict:
    """What the page shows (READ_PAGE, as r) once condition holds of it."""
    return page.wait_for(f"(r => ({condition}) && r)({READ_PAGE})", timeout)


def write_spout_status(folder: Path, task: int, lines_per_sec: float, p99: int, progress=None):
    """A spout task's status file, as the spout writes it (atomically)."""
    folder.mkdir(exist_ok=True)
    status = {"task": task, "at": time.time(), "secs": 5.0, "acked_tuples": 12,
              "acked_lines": int(lines_per_sec * 5), "lines_per_sec": lines_per_sec,
              "failed": 0, "pending": 3, "complete_latency_ms": {"p50": 12, "p99": p99},
              "progress": progress}  # fmt: skip
    (folder / "spout.tmp").write_text(json.dumps(status))
    (folder / "spout.tmp").replace(folder / f"spout-{task}.json")


def write_jsonl(path: Path, records: list[dict]) -> None:
    with open(path, "a") as fh:
        fh.write("".join(json.dumps(r) + "\n" for r in records))


def by_end(records: list[dict]) -> list[dict]:
    """Windows in the order the sink writes them: by end, the metrics of one end together."""
    return sorted(records, key=lambda w: (w["window_end"], w["metric"]))


def test_an_event_time_replay_draws_the_logs_own_time_may_2015(tmp_path):
    lines = SAMPLE.read_text().splitlines()[:600]  # 17 May 2015, 10:05 to about 15:10
    windows_, _ = reference_windows(lines, lateness=60)
    last_line = max(w["window_end"] for w in windows_) - 300  # past it, windows drain
    windows_ = by_end([w for w in windows_ if w["window_end"] <= last_line])
    out = tmp_path / "windows.jsonl"
    tally = {"late": {}, "malformed": {"unterminated user-agent field": 1}}
    (tmp_path / "errors.counts.json").write_text(json.dumps(tally))
    progress = {"mode": "spool", "files_done": 1, "files_total": 3, "bytes_done": 123_000,
                "bytes_total": 456_000, "lines": 7000, "lines_per_sec": 1400.0,
                "eta_secs": 12.5, "finished": False}  # fmt: skip
    write_spout_status(tmp_path / "status", 1, 1400.0, 40, progress)
    newest_url = [w for w in windows_ if w["metric"] == "url"][-1]
    newest_url["partial"] = "1 of 2 tasks did not report"
    write_jsonl(out, windows_)
    status = [w for w in windows_ if w["metric"] == "status"]
    shown = [w for w in status if w["window_end"] > status[-1]["window_end"] - HISTORY_SECS]

    with Dashboard(out) as url, LivePage(url, height=1300) as page:
        seen = page_when(page, f"r.url_end === {newest_url['window_end']}")
        page.screenshot(ARTIFACTS / "dashboard-event-time.png")
        page.evaluate(f"""echarts.getInstanceByDom(document.getElementById('status-chart'))
            .dispatchAction({{type: 'showTip', seriesIndex: 0, dataIndex: {len(shown) - 1}}})""")
        hover = page.wait_for("document.getElementById('status-chart').innerText")
        assert page.errors == []

    assert seen["top"] == newest_url["top"]  # every rank, URL and count
    assert (seen["points"], seen["first_end"]) == (len(shown), shown[0]["window_end"]) > (0, 0)
    assert seen["mode"] == "event" and seen["window_end_text"].startswith("2015-05-17 ")
    assert "event time" in seen["lag"] and "behind real time" not in seen["lag"]
    assert seen["malformed"] == 1 and seen["distinct"] == newest_url["distinct"]
    assert seen["rps"] == pytest.approx(newest_url["total"] / 300, abs=0.01)
    assert seen["partial"] == "true"
    codes = dict(shown[-1]["top"])
    hovered_end = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(shown[-1]["window_end"]))
    assert f"window ending {hovered_end}Z" in hover
    assert f"2xx 200: {codes['200']}" in hover  # the codes of a class on hover
    assert seen["progress"] == {"finished": "false", "files": "1 of 3", "eta": "13 s"}


def arrival_windows(lines: list[str], start: int, rate: int) -> list[dict]:
    """The windows of lines arriving at rate lines/s from epoch second start, as the
    processing-time analyzer makes them (arrival time is in order: none is late)."""
    events = [(start + i // rate, {m: key_of(m, line) for m in ("url", "status", "host")})
              for i, line in enumerate(lines)]  # fmt: skip
    found, _ = reference_from_events(events, lateness=0)
    return [{**w, "time": "processing"} for w in found]


def test_live_windows_are_drawn_without_a_reload_and_again_after_a_server_restart(tmp_path):
    lines = SAMPLE.read_text().splitlines()[:9000]
    now = int(time.time())
    live = 20  # the last seconds' windows, appended while the page is open
    all_windows = by_end([w for w in arrival_windows(lines, now - 200, 50)
                          if w["window_end"] <= now + live])  # fmt: skip
    out = tmp_path / "windows.jsonl"
    write_jsonl(out, [w for w in all_windows if w["window_end"] <= now])
    write_spout_status(tmp_path / "status", 3, 30.0, 38)
    write_spout_status(tmp_path / "status", 4, 20.5, 61)
    latencies = []
    server = Dashboard(out)

    with server as url, LivePage(url, height=1150) as page:
        page_when(page, f"r.url_end === {now}")
        page.evaluate("window.loadedOnce = true")  # gone if the page reloaded
        for end in range(now + 1, now + live + 1):  # one slide at a time, as the sink writes
            written = time.time()
            write_jsonl(out, [w for w in all_windows if w["window_end"] == end])
            page_when(page, f"r.url_end === {end}", timeout=10)
            drawn = page.evaluate("window.dashboardLatencies.at(-1)")
            latencies.append((drawn["drawn_at"] - written * 1000, drawn["sink_to_screen_ms"]))
        seen = page.evaluate(READ_PAGE)
        page.screenshot(ARTIFACTS / "dashboard.png")

        # The server stops and comes back on its port with the page open: the page
        # reconnects by itself and draws the history again, with what came meanwhile.
        server.stop()
        page_when(page, "r.connection === 'reconnecting'")
        restarted = {**all_windows[-1], "metric": "url", "window_end": now + live + 1,
                     "top": [["/while-it-was-down", 9]]}  # fmt: skip
        write_jsonl(out, [restarted])
        with Dashboard(out, server.port):
            again = page_when(page, f"r.url_end === {now + live + 1} && r.connection === 'live'")
        assert page.evaluate("window.loadedOnce") is True  # never reloaded
        assert page.errors == []

    newest_url = [w for w in all_windows if w["metric"] == "url"][-1]
    assert seen["top"] == newest_url["top"] and seen["url_end"] == now + live
    newest_host = [w for w in all_windows if w["metric"] == "host"][-1]
    assert seen["hosts"] == newest_host["top"] and seen["host_end"] == newest_host["window_end"]
    assert seen["points"] > 0 and seen["mode"] == "processing" and seen["partial"] == "false"
    assert "behind real time" in seen["lag"]
    assert (seen["lines_per_sec"], seen["p99"], seen["progress"]) == (50.5, 61, None)
    assert again["top"] == [["/while-it-was-down", 9]] and again["points"] >= seen["points"]
    by_test, by_page = [t for t, _ in latencies], [p for _, p in latencies]
    report = (
        f"sink to screen over {len(latencies)} windows: "
        f"median {statistics.median(by_test):.0f} ms, max {max(by_test):.0f} ms "
        f"(the page's own, from the file's mtime: median {statistics.median(by_page):.0f} ms)"
    )
    (ARTIFACTS / "dashboard-latency.txt").write_text(report + "\n")
    print(report)
    assert statistics.median(by_test) < 1000, report  # polled every 0.1 s, drawn next frame


@pytest.mark.storm
def test_the_page_shows_the_windows_of_a_real_sparse_run(tmp_path):
    """During `sparse run -n logs` over the sample, the page draws the newest window;
    then SIGTERM to sparse leaves no process of the run (the Storm JVM, its Python
    components) and no file in its temporary folder (the LocalCluster's), and sparse
    exits 143."""
    raw = SAMPLE.read_bytes()
    good = [line for i, line in enumerate(raw.decode().splitlines(), 1) if i != BROKEN_LINE]
    inbox, out = tmp_path / "in", tmp_path / "out"
    inbox.mkdir()
    sink = out / "windows.jsonl"
    options = {
        "logstorm.input.path": inbox,
        "logstorm.input.pattern": "access.log",
        "logstorm.output.path": sink,
        "logstorm.errors.path": out / "errors.jsonl",
        "logstorm.console": "false",
    }
    sparse = SparseRun("logs", tmp_path / "run.log", options)
    run_tmp = tmp_path / "tmp"  # the run's TMPDIR: /tmp is shared with other tests
    run_tmp.mkdir()
    sparse.env["TMPDIR"] = str(run_tmp)
    with sparse as run, Dashboard(sink) as url:
        wait_for(lambda: list(run_tmp.glob("logstorm-storm-local-*/*")), 240,
                 "the LocalCluster's folders in the run's own", run.log)  # fmt: skip
        log = inbox / "access.log"
        log.touch()  # tailed from the start, as in test_logs_storm.py
        wait_for(lambda: windows(sink, "url"), 240, "a first window", run.log)
        with open(log, "ab") as fh:
            fh.write(raw)
        wait_for(lambda: first_window_with_total(sink, "url", len(good)), 240,
                 f"a URL window with {len(good)} requests", run.log)  # fmt: skip
        every_host = wait_for(lambda: first_window_with_total(sink, "host", len(good)), 60,
                              f"a host window with {len(good)} requests", run.log)  # fmt: skip
        with LivePage(url) as page:
            # the first status and host windows come at their 5 s slide: wait for them too
            ready = ("r.top.length && r.malformed === 1 && r.tasks >= 1 && r.points > 0"
                     f" && r.host_end >= {every_host['window_end']}")  # fmt: skip
            seen = page_when(page, ready)
            newest = windows(sink, "url")[-1]  # the page may be a slide behind: compare at its end
            shown = next(w for w in windows(sink, "url") if w["window_end"] == seen["url_end"])
            hosts = next(w for w in windows(sink, "host") if w["window_end"] == seen["host_end"])
            page.screenshot(ARTIFACTS / "dashboard-storm.png")
            assert page.errors == []
        run.terminate()  # SIGTERM to sparse alone stops everything, as Ctrl-C does
        wait_for(lambda: not run.group_alive(), 60, "every process of the run to stop", run.log)
        assert run.proc.returncode == 143
        assert list(run_tmp.iterdir()) == []

    assert seen["top"] == shown["top"] == newest["top"] == expected_url_top(good, 10)
    assert seen["hosts"] == hosts["top"] == every_host["top"] == expected_host_top(good, 10)
    assert seen["points"] > 0 and seen["mode"] == "processing"
    assert seen["tasks"] == 1 and seen["lines_per_sec"] >= 0  # the spout's status file
    assert 0 <= newest["window_end"] - seen["url_end"] <= 5
