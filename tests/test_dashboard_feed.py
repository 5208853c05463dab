"""The dashboard's window feed and server, on real files: what a person watching the
page relies on (every new window shown once, nothing half written, a rotated log
followed, a late browser drawing the recent past at once, errors and health summed)."""

import asyncio
import contextlib
import http.server
import json
import os
import socket
import sys
import threading

import aiohttp
from sparse_run import PROJECT

from logstorm.dashboard.__main__ import main
from logstorm.dashboard.feed import WindowFeed
from logstorm.dashboard.server import make_app
from logstorm.dashboard.storm_ui import fetch_ui_health
from logstorm.jsonl_follow import complete_records
from logstorm.monitoring.ack_stats import AckStats
from logstorm.monitoring.progress import ReplayProgress
from logstorm.monitoring.status import status_dir, write_status


def window(metric, end, total=10, time="processing", **extra):
    top = [["/", total]] if metric == "url" else [["200", total - 1], ["404", 1]]
    return {"metric": metric, "time": time, "window_end": end, "window_secs": 300,
            "slide_secs": 1 if metric == "url" else 5, "total": total, "distinct": len(top),
            "top": top, **extra}  # fmt: skip


def append(path, *records, raw=""):
    with open(path, "a") as fh:
        fh.write("".join(json.dumps(r) + "\n" for r in records) + raw)


def ends(messages):
    return [(m["window"]["metric"], m["window"]["window_end"]) for m in messages]


def test_appended_windows_come_once_each_in_order_stamped_when_written_and_read(tmp_path):
    out = tmp_path / "windows.jsonl"
    feed = WindowFeed(out, clock=lambda: 1000.5)
    append(out, window("url", 100), window("status", 100))
    first = feed.poll_windows()
    assert ends(first) == [("url", 100), ("status", 100)]
    assert first[0]["window"]["written_at"] == os.stat(out).st_mtime
    assert first[0]["window"]["read_at"] == 1000.5
    assert feed.poll_windows() == []  # nothing new, nothing again
    append(out, window("status", 105), window("url", 101))
    assert ends(feed.poll_windows()) == [("status", 105), ("url", 101)]


def test_a_half_written_last_line_waits_for_its_end(tmp_path):
    out = tmp_path / "windows.jsonl"
    feed = WindowFeed(out)
    line = json.dumps(window("url", 100, total=7))
    append(out, window("status", 95), raw=line[:25])  # the sink mid-write
    assert ends(feed.poll_windows()) == [("status", 95)]
    append(out, raw=line[25:] + "\n")
    assert [m["window"]["total"] for m in feed.poll_windows()] == [7]


def test_a_burst_of_windows_sends_only_what_the_page_draws(tmp_path):
    out = tmp_path / "windows.jsonl"
    feed = WindowFeed(out, history_secs=60)
    append(out, *[window("url", e) for e in range(1000, 4000)])  # a fast replay's hour
    append(out, *[window("status", e) for e in range(1000, 4000, 5)])
    assert ends(feed.poll_windows()) == [("url", 3999)] + [
        ("status", e) for e in range(3940, 4000, 5)
    ]


def test_a_missing_file_reads_as_nothing_until_it_appears(tmp_path):
    out = tmp_path / "not-yet" / "windows.jsonl"
    feed = WindowFeed(out)
    assert feed.poll_windows() == [] and feed.history()["windows"] == []
    out.parent.mkdir()
    append(out, window("url", 100))
    assert ends(feed.poll_windows()) == [("url", 100)]


def test_a_rotated_or_truncated_file_is_followed_from_its_start(tmp_path):
    out = tmp_path / "windows.jsonl"
    feed = WindowFeed(out)
    append(out, window("url", 100), window("url", 101))
    assert ends(feed.poll_windows()) == [("url", 101)]
    out.rename(tmp_path / "windows.jsonl.1")  # rotated: a new file in its place
    append(out, window("url", 102))
    assert ends(feed.poll_windows()) == [("url", 102)]
    out.write_text("")  # truncated in place (copytruncate), then written again
    append(out, window("url", 103), window("status", 100))
    assert ends(feed.poll_windows()) == [("url", 103), ("status", 100)]


def test_a_new_run_over_a_replaced_file_starts_the_pages_anew(tmp_path):
    out = tmp_path / "windows.jsonl"
    feed = WindowFeed(out)
    may_2015 = [window(m, 1431868000 + s, time="event") for s in (0, 5) for m in ("status", "url")]
    append(out, *may_2015)
    assert [m["type"] for m in feed.poll_windows()] == ["window"] * 3  # the newest URL window
    out.unlink()  # deleted to analyse the log again: the same windows come again
    append(out, *may_2015[:2])
    [message] = feed.poll_windows()
    assert message["type"] == "history"  # the pages drop what they drew and draw this
    assert ends([{"window": w} for w in message["windows"]]) == [
        ("status", 1431868000), ("url", 1431868000)]  # fmt: skip
    append(out, *may_2015[2:])
    assert ends(feed.poll_windows()) == [("status", 1431868005), ("url", 1431868005)]


def test_a_line_that_is_not_json_does_not_stop_the_feed(tmp_path):
    out = tmp_path / "windows.jsonl"
    feed = WindowFeed(out)
    append(out, raw="not json\n")
    assert feed.poll_windows() == []
    append(out, window("url", 100), ["a list"], raw='{"no": "window"}\n')
    assert ends(feed.poll_windows()) == [("url", 100)]


def test_a_late_browser_gets_the_recent_status_windows_and_the_newest_url_window(tmp_path):
    out = tmp_path / "windows.jsonl"
    append(out, *[window("status", 1000 + 5 * i) for i in range(400)])  # 2000 s of them
    append(out, *[window("url", 2990 + i) for i in range(10)])
    feed = WindowFeed(out, history_secs=600)
    feed.poll_windows()
    history = feed.history()
    status = [w["window_end"] for w in history["windows"] if w["metric"] == "status"]
    assert status == list(range(2400, 2996, 5))  # the last 10 minutes, oldest first
    assert [w["window_end"] for w in history["windows"] if w["metric"] == "url"] == [2999]
    assert history["history_secs"] == 600 and history["windows_path"] == str(out)


def test_windows_of_another_time_mode_start_the_history_anew(tmp_path):
    out = tmp_path / "windows.jsonl"
    append(out, window("status", 1796171540), window("url", 1796171540))
    append(out, window("status", 1431868000, time="event"))  # a replay of May 2015
    feed = WindowFeed(out)
    feed.poll_windows()
    assert [(w["time"], w["window_end"]) for w in feed.history()["windows"]] == [
        ("event", 1431868000)
    ]


def test_the_errors_tally_is_read_with_totals_and_sent_when_it_changes(tmp_path):
    out, errors = tmp_path / "windows.jsonl", tmp_path / "errors.jsonl"
    feed = WindowFeed(out, errors)
    assert feed.history()["tally"]["malformed_total"] == 0  # no errors file: none left out
    counts = tmp_path / "errors.counts.json"
    tally = {"late": {"status": 2, "url": 3}, "malformed": {"bad request": 1, "no date": 4}}
    counts.with_suffix(".tmp").write_text(json.dumps(tally))
    counts.with_suffix(".tmp").replace(counts)  # as the sink writes it: atomically
    [message] = [m for m in feed.poll_side() if m["type"] == "tally"]
    assert (message["tally"]["malformed_total"], message["tally"]["late_total"]) == (5, 5)
    assert message["tally"]["late"] == {"status": 2, "url": 3}
    assert [m for m in feed.poll_side() if m["type"] == "tally"] == []  # unchanged


def spout_status(task, at, rate, p99, progress=None):
    return {"task": task, "at": at, "secs": 5.0, "acked_tuples": 12, "acked_lines": 5000,
            "lines_per_sec": rate, "failed": 1, "pending": 3,
            "complete_latency_ms": {"p50": 12, "p99": p99}, "progress": progress}  # fmt: skip


def test_spout_status_files_sum_to_lines_per_second_and_the_worst_latency(tmp_path):
    out = tmp_path / "windows.jsonl"
    status = tmp_path / "status"
    status.mkdir()
    for s in (
        spout_status(3, 100.0, 1000.0, 40),
        spout_status(4, 101.0, 400.0, 90),
        spout_status(5, 60.0, 9999.0, 999),
    ):  # task 5 stopped reporting 40 s ago
        (status / f"spout-{s['task']}.json").write_text(json.dumps(s))  # fmt: skip
    (status / "spout-6.json").write_text('{"task": 6, "at": ')  # not a status (yet)
    feed = WindowFeed(out, clock=lambda: 102.0)
    health = feed.history()["health"]
    assert (health["lines_per_sec"], health["p99_ms"], health["p50_ms"]) == (1400.0, 90, 12)
    assert (health["tasks"], health["live_tasks"], health["pending"]) == (3, 2, 6)
    assert health["progress"] is None


def test_replay_progress_is_summed_and_finished_with_its_totals(tmp_path):
    status = tmp_path / "status"
    status.mkdir()

    def progress(done, finished, eta):
        return {"mode": "spool", "files_done": done, "files_total": 3, "bytes_done": 100 * done,
                "bytes_total": 300, "lines": 7000, "lines_per_sec": 1400.0, "eta_secs": eta,
                "finished": finished}  # fmt: skip

    def write(*progresses):
        for task, p in enumerate(progresses):
            s = spout_status(task, 100.0, 1400.0, 40, p)
            (status / f"spout-{task}.json").write_text(json.dumps(s))

    write(progress(1, False, 12.5), progress(2, False, 30.0))
    feed = WindowFeed(tmp_path / "windows.jsonl", clock=lambda: 101.0)
    p = feed.history()["health"]["progress"]
    assert (p["files_done"], p["files_total"], p["bytes_done"], p["bytes_total"]) == (
        3,
        6,
        300,
        600,
    )
    assert (p["lines"], p["lines_per_sec"], p["eta_secs"], p["finished"]) == (
        14000,
        2800.0,
        30.0,
        False,
    )
    write(progress(3, True, 0), progress(3, True, 0))
    feed.clock = lambda: 500.0  # long after: the tasks stopped, their totals stay
    [message] = [m for m in feed.poll_side() if m["type"] == "health"]
    p = message["health"]["progress"]
    assert (p["finished"], p["files_done"], p["bytes_done"], p["lines"]) == (True, 6, 600, 14000)
    assert message["health"]["lines_per_sec"] == 0


def test_status_files_as_the_spout_writes_them_are_read(tmp_path):
    """The spout's own writer and reports (logstorm.monitoring.status, AckStats, ReplayProgress)."""
    out = tmp_path / "windows.jsonl"
    stats = AckStats()
    for i in range(10):
        stats.emitted(i, 100.0)
        stats.acked(i, 100.04, lines=1000)
    progress = ReplayProgress(started=0.0)
    progress.report(files=(0, 2), bytes_=(0, 1000), lines=0, now=0.0, finished=False)
    report = {**stats.report(5.0), "at": 200.0, "pending": 2,
              "progress": progress.report(files=(1, 2), bytes_=(400, 1000), lines=10_000,
                                          now=10.0, finished=False)}  # fmt: skip
    write_status(status_dir(out), 3, report)
    health = WindowFeed(out, clock=lambda: 201.0).history()["health"]
    assert (health["lines_per_sec"], health["acked_lines"]) == (2000.0, 10_000)
    assert (health["p99_ms"], health["live_tasks"], health["pending"]) == (40, 1, 2)
    p = health["progress"]
    assert (p["files_done"], p["bytes_done"], p["lines"], p["eta_secs"]) == (1, 400, 10_000, 15.0)


async def sse_events(response, n):
    """The next n server-sent events of a response, as (event, data)."""
    events, fields = [], {}
    async with asyncio.timeout(10):
        while len(events) < n:
            line = (await response.content.readline()).decode().rstrip("\n")
            if line:
                key, _, value = line.partition(": ")
                fields[key] = value
            elif "event" in fields:
                events.append((fields["event"], json.loads(fields["data"])))
                fields = {}
    return events


def test_the_event_stream_sends_history_first_then_each_new_window(tmp_path):
    out = tmp_path / "windows.jsonl"
    append(out, window("status", 100), window("url", 100))

    async def scenario():
        feed = WindowFeed(out)
        runner = aiohttp.web.AppRunner(make_app(feed))
        await runner.setup()
        site = aiohttp.web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"
        try:
            async with aiohttp.ClientSession() as http:
                async with http.get(f"{url}/events") as early:
                    [(kind, history)] = await sse_events(early, 1)
                    assert kind == "history"
                    assert ends([{"window": w} for w in history["windows"]]) == [
                        ("status", 100), ("url", 100)]  # fmt: skip
                    append(out, window("url", 101, total=42))
                    [(kind, message)] = await sse_events(early, 1)
                    assert (kind, message["window"]["total"]) == ("window", 42)
                async with http.get(f"{url}/events") as late:  # a browser that reconnects
                    [(kind, history)] = await sse_events(late, 1)
                    assert [w["window_end"] for w in history["windows"]] == [100, 101]
                async with http.get(f"{url}/") as page:
                    assert page.status == 200 and 'id="rankings"' in await page.text()
                async with http.get(f"{url}/vendor/echarts.js") as lib:
                    assert lib.status == 200 and len(await lib.read()) > 100_000
        finally:
            await runner.cleanup()

    asyncio.run(scenario())


def test_a_taken_port_is_named_with_the_fix(tmp_path, capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = main(["--port", str(port), "--windows", str(tmp_path / "windows.jsonl")])
    assert code == 2
    err = capsys.readouterr().err
    assert f"port {port} on 127.0.0.1 is taken" in err and f"--port {port + 1}" in err


TOPOLOGY_ID = "logs-1-1796160271"
UI_ANSWERS = {
    "/api/v1/topology/summary": {"topologies": [
        {"name": "wordcount", "id": "wordcount-2-1"}, {"name": "logs", "id": TOPOLOGY_ID}]},
    f"/api/v1/topology/{TOPOLOGY_ID}?window=600": {"name": "logs", "id": TOPOLOGY_ID,
        "spouts": [
            {"spoutId": "logfiles", "acked": 1200, "failed": 2, "completeLatency": "12.5"},
            {"spoutId": "other", "acked": 30, "failed": 0, "completeLatency": "40.0"}]},
}  # fmt: skip


@contextlib.contextmanager
def storm_ui():
    """A stand-in for the Storm UI's REST API on loopback, with UI_ANSWERS; its URL."""

    class UI(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = json.dumps(UI_ANSWERS[self.path]).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), UI) as ui:
        threading.Thread(target=ui.serve_forever, daemon=True).start()
        yield f"http://127.0.0.1:{ui.server_address[1]}"
        ui.shutdown()


def test_the_storm_ui_figures_are_the_running_topologys_spouts():
    with storm_ui() as url:
        health = fetch_ui_health(url)
        missing = fetch_ui_health(url, topology="sentences")
    assert health == {"topology": "logs", "id": TOPOLOGY_ID, "window_secs": 600,
                      "acked_tuples": 1230, "failed_tuples": 2,
                      "complete_latency_ms": 40.0}  # fmt: skip
    assert missing is None


def test_the_storm_ui_figures_reach_the_browser(tmp_path):
    async def scenario(ui):
        runner = aiohttp.web.AppRunner(make_app(WindowFeed(tmp_path / "windows.jsonl"), ui))
        await runner.setup()
        site = aiohttp.web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"
        try:
            async with aiohttp.ClientSession() as http, http.get(f"{url}/events") as events:
                [(kind, history)] = await sse_events(events, 1)
                assert kind == "history"
                if history["storm"]:  # the UI answered before the browser came
                    return history["storm"]
                [(kind, message)] = await sse_events(events, 1)
                assert kind == "storm"
                return message["storm"]
        finally:
            await runner.cleanup()

    with storm_ui() as ui:
        storm = asyncio.run(scenario(ui))
    assert (storm["acked_tuples"], storm["complete_latency_ms"]) == (1230, 40.0)


def test_on_a_70_mb_file_the_feed_reads_only_the_tail_its_history_needs(tmp_path):
    sys.path.insert(0, str(PROJECT / "bench"))
    from dashboard_start import write_history  # what the benchmark of the start reads

    out = tmp_path / "windows.jsonl"
    write_history(out, 130_000)  # 1.5 days by event time, a URL window a second
    size = out.stat().st_size
    assert size > 70_000_000
    feed = WindowFeed(out, history_secs=900)
    assert feed.source.follower.offset > size - 2_000_000  # the tail only: 900 s of windows
    feed.poll_windows()
    history = feed.history()["windows"]
    records = complete_records(out)  # what a full read gives
    newest_status = max(r["window_end"] for r in records if r["metric"] == "status")
    want = [r for r in records if r["metric"] == "status" and r["window_end"] > newest_status - 900]
    assert [w["window_end"] for w in history] == [
        *(w["window_end"] for w in want),
        *(max(r["window_end"] for r in records if r["metric"] == m) for m in ("url", "host")),
    ]


def test_metrics_give_lines_read_counted_malformed_and_late_and_each_spout_task(tmp_path):
    from logstorm.dashboard.prometheus import exposition

    out = tmp_path / "windows.jsonl"
    for task, lines in ((0, 6000), (1, 4000)):
        latency = {"p50": 120, "p99": 900}
        write_status(status_dir(out), task, {"at": 100.0, "secs": 5.0, "lines_total": lines,
                     "lines_per_sec": 800.0, "pending": 3, "failed": 1,
                     "complete_latency_ms": latency, "progress": None,
                     "lag": {"unit": "bytes", "sources": {f"/in/{task}.log": 10 * task}},
                     })  # fmt: skip
    write_status(status_dir(out), 2, {"at": 100.0, "lines_total": 0,
                 "lag": {"unit": "records", "sources": {"access-log/2": 17}}})  # fmt: skip
    (tmp_path / "errors.counts.json").write_text(json.dumps(
        {"late": {"url": 7}, "malformed": {"bad quote": 2}, "not_written": 5}))  # fmt: skip
    append(out, window("url", 1_000, time="event"), window("status", 1_000, time="event"))
    feed = WindowFeed(out)
    feed.poll_windows()
    lines = exposition(feed).decode().splitlines()
    for sample in (
        'logstorm_lines_read_total{task="0"} 6000.0',
        'logstorm_lines_malformed_total{reason="bad quote"} 2.0',
        'logstorm_lines_late_total{metric="url"} 7.0',
        'logstorm_lines_counted_total{metric="url"} 9991.0',  # 10,000 - 2 - 7
        'logstorm_lines_counted_total{metric="status"} 9998.0',
        "logstorm_errors_not_written_total 5.0",
        'logstorm_spout_complete_latency_seconds{quantile="0.99",task="1"} 0.9',
        'logstorm_windows_read_total{metric="status"} 1.0',
        'logstorm_window_end_seconds{metric="url",time="event"} 1000.0',
        'logstorm_input_bytes_behind{file="/in/1.log",task="1"} 10.0',
        'logstorm_kafka_consumer_lag{partition="2",topic="access-log"} 17.0',
    ):
        assert sample in lines, sample
