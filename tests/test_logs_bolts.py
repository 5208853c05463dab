"""The log analyzer's bolts, each driven through the harness (tick tuples included)."""

import json
from functools import partial

import pytest

from bolts.parse import AccessLogParseBolt
from bolts.rankings import RankingsBolt
from bolts.sinks import ErrorSinkBolt, WindowSinkBolt
from bolts.windows import WindowBolt
from harness import BoltHarness, SpoutHarness
from logstorm.jsonl_follow import complete_records
from logstorm.logs_options import read_logs_options
from logstorm.options import OptionError
from logstorm.parsing.partition import task_of
from logstorm.protocol.run_state import run_state_dir
from logstorm.sources.chunks import Chunk
from logstorm.sources.lines import Line
from spouts.logfiles import LogFileSpout

GOOD = '1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET /a HTTP/1.1" 200 5 "-" "x"'
NO_URL = '1.2.3.4 - - [17/May/2015:10:05:03 +0000] "-" 408 - "-" "-"'
BROKEN = '1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET /a HTTP/1.1" 200 5 "-" "x'


def topology(url_tasks=(7,)):
    """Every task of the topology, as each of its components sees them (the state
    folder's name depends on them: :mod:`logstorm.protocol.run_state`)."""
    return {
        99: "logfiles",
        3: "rankings",
        5: "window_sink",
        **dict.fromkeys(url_tasks, "url_window"),
    }


def state_dir(state, run, url_tasks=(7,)):
    """The state folder the components of topology(url_tasks) share for run."""
    context = {"task->component": {str(t): c for t, c in topology(url_tasks).items()}}
    return run_state_dir(read_logs_options(state), context, run)


def conf(tmp_path, **extra):
    return {
        "logstorm.input.path": str(tmp_path),
        "logstorm.output.path": str(tmp_path / "windows.jsonl"),
        "logstorm.errors.path": str(tmp_path / "errors.jsonl"),
        **extra,
    }


WINDOW_TASKS = {11: "url_window", 12: "url_window", 21: "status_window", 31: "host_window"}


def chunk_tuple(texts, offsets, cut=(), chunk="chunk-1", event=None):
    """The spout's tuple for lines at offsets, made by the core as the spout makes it."""
    spans = enumerate(zip(offsets, texts, strict=True))
    lines = tuple(Line(o, o + len(t) + 1, t, i in cut) for i, (o, t) in spans)
    return Chunk(chunk, "/logs/a.log", lines).values(event).values()


def parse_bolt(tmp_path, **options):
    return BoltHarness(
        AccessLogParseBolt, conf(tmp_path, **options), name="parse", other_tasks=WINDOW_TASKS
    )


def bundles(h, stream):
    """{part: [chunk, watermark, counts]} of the bundles emitted on stream."""
    return {part: rest for part, *rest in h.emitted(stream)}


def test_parse_bolt_sends_each_window_task_one_bundle_and_routes_bad_lines_aside(tmp_path):
    h = parse_bolt(tmp_path)
    lines = [GOOD, GOOD, NO_URL, BROKEN, "x" * 10, GOOD.replace("/a", "/b")]
    tup = h.feed(chunk_tuple(lines, [0, 10, 20, 30, 40, 50], cut=[4]))
    urls = bundles(h, "url_counts")  # a part per url_window task that has keys of the chunk
    assert {part: b[:2] for part, b in urls.items()} == {
        part: [f"chunk-1#{part}", None] for part in urls
    }
    assert sorted(kv for b in urls.values() for kv in b[2]) == [["/a", 2], ["/b", 1]]
    for part, (_, _, counts) in urls.items():  # each key in the part its hash names
        assert all(task_of(key, 2) == part for key, _ in counts)
    assert bundles(h, "status_counts") == {0: ["chunk-1#0", None, [["200", 3], ["408", 1]]]}
    assert bundles(h, "host_counts") == {0: ["chunk-1#0", None, [["1.2.3.4", 4]]]}
    [[path, counts, samples]] = h.emitted("errors")  # one tuple for the chunk's bad lines
    assert path == "/logs/a.log" and counts == [
        ["unterminated user-agent field", None, 1],
        ["line too long: cut at the configured maximum", None, 1],
    ]
    assert samples[0] == ["unterminated user-agent field", 30, BROKEN, None, len(BROKEN)]
    assert all(m["anchors"] == [tup.id] for m in h.messages("emit"))
    assert h.acked() == [tup.id] and h.failed() == []


def test_parse_bolt_in_event_time_counts_by_slide_and_reports_late_lines(tmp_path):
    h = parse_bolt(tmp_path, **{"logstorm.time": "event"})
    t = 1431857103  # 17/May/2015:10:05:03
    early = GOOD.replace("10:05:03", "10:04:58")
    event = {"watermark": t - 60, "late": {"url": [1]}}
    h.feed(chunk_tuple([GOOD, early], [0, 100], chunk="chunk-9", event=event))
    [(part, url_bundle)] = bundles(h, "url_counts").items()
    assert url_bundle == [f"chunk-9#{part}", t - 60, [[t, "/a", 1]]]  # the late line: in none
    statuses = bundles(h, "status_counts")[0][2]
    assert sorted(statuses) == [[t // 5 - 1, "200", 1], [t // 5, "200", 1]]  # 5 s slides
    assert h.emitted("errors") == [
        ["/logs/a.log", [["late", "url", 1]], [["late", 100, early, "url", len(early)]]]
    ]


def bundle(counts, chunk="c1", watermark=None):
    return [0, chunk, watermark, [list(kv) for kv in counts]]


@pytest.mark.parametrize("metric", ["url", "status", "host"])
def test_window_bolt_counts_then_reports_on_ticks(tmp_path, metric, monkeypatch):
    clock = [1000.2]
    monkeypatch.setattr("bolts.windows.time.time", lambda: clock[0])
    h = BoltHarness(WindowBolt, conf(tmp_path), name=f"{metric}_window")
    first = h.feed(bundle([("k1", 3)]))
    h.feed(bundle([("k2", 1)], chunk="c2"))
    assert h.acked() == [first.id, h.acked()[1]] and h.emitted() == []
    slide = 1 if metric == "url" else 5
    clock[0] += 2 * slide  # the tick comes late: two slides ended
    h.tick()
    [[reported, since, watermark, reports]] = h.emitted()
    assert (reported, since, watermark) == (metric, None, None)
    assert [r[1] for r in reports] == [1000 + slide, 1000 + 2 * slide]
    _, _, _, slide_secs, total, distinct, top = reports[-1]
    assert (slide_secs, total, distinct) == (slide, 4, 2)
    assert top == [("k1", 3), ("k2", 1)]
    assert all(m["anchors"] == [] for m in h.messages("emit"))  # reports never replay input


def test_window_bolt_reports_a_slide_as_soon_as_data_arrives_after_it(tmp_path, monkeypatch):
    clock = [1000.2]
    monkeypatch.setattr("bolts.windows.time.time", lambda: clock[0])
    h = BoltHarness(WindowBolt, conf(tmp_path), name="url_window")
    h.feed(bundle([("/a", 2)]))
    clock[0] = 1001.05  # slide [1000, 1001) ended; no tick yet
    h.feed(bundle([("/b", 1)], chunk="c2"))
    [[_, _, _, [report]]] = h.emitted()
    assert report[1:2] == (1001,) and report[4] == 2  # /b arrived after the slide: not in it
    assert len(h.acked()) == 2


def test_event_time_window_bolt_reports_on_watermarks_and_counts_a_chunk_once(tmp_path):
    event = conf(tmp_path, **{"logstorm.time": "event"})
    h = BoltHarness(WindowBolt, event, name="url_window", other_tasks={99: "logfiles"})
    h.feed(bundle([(1000, "/a", 2), (1001, "/b", 1)], chunk="c1", watermark=900))
    h.feed(bundle([(1000, "/a", 2)], chunk="c1", watermark=900))  # replayed: dropped
    h.tick()
    assert h.emitted() == []  # ticks close nothing in event time
    h.feed([1001], stream="watermarks", source="logfiles")
    [[metric, since, watermark, [report]]] = h.emitted()
    assert (metric, since, watermark) == ("url", None, 1001)  # no state path: no chain
    assert report == ("url", 1001, 300, 1, 2, 1, [("/a", 2)])  # holds events with t < 1001
    h.clear()
    h.feed([1001], stream="watermarks", source="logfiles")  # repeated: passed on, no report
    assert h.emitted() == [["url", None, 1001, []]]
    assert len(h.acked()) == 1


def test_event_time_window_bolt_closes_windows_at_the_lowest_spout_task_watermark(tmp_path):
    event = conf(tmp_path, **{"logstorm.time": "event"})
    h = BoltHarness(
        WindowBolt, event, name="url_window", other_tasks={3: "logfiles", 4: "logfiles"}
    )
    h.feed(bundle([(1000, "/a", 1)], chunk="p0", watermark=900))
    h.feed([1005], stream="watermarks", source="logfiles", task=3)
    assert h.emitted() == []  # task 4 (other partitions) not heard: nothing closes
    h.feed([1000], stream="watermarks", source="logfiles", task=4)
    assert h.emitted() == [["url", None, 1000, []]]  # the lowest: the window ending 1001 is open
    h.feed([1003], stream="watermarks", source="logfiles", task=4)
    [[_, _, watermark, reports]] = h.emitted()[1:]
    assert watermark == 1003 and [r[1] for r in reports] == [1001, 1002, 1003]


def test_window_bolt_refuses_a_window_that_is_not_whole_slides(tmp_path):
    bad = conf(tmp_path, **{"logstorm.window.status.secs": 301})
    with pytest.raises(OptionError, match="logstorm.window.status.secs"):
        BoltHarness(WindowBolt, bad, name="status_window")


def report(metric, end, top, total):
    return [metric, end, 300, 1, total, len(top), top]


def test_rankings_bolt_merges_one_window_from_every_task(tmp_path):
    others = {1: "url_window", 2: "url_window"}
    h = BoltHarness(RankingsBolt, conf(tmp_path), name="rankings", task_id=3, other_tasks=others)
    h.feed(
        ["url", None, None, [report("url", 10, [["/a", 5], ["/b", 1]], 6)]],
        source="url_window",
        task=1,
    )
    assert h.emitted() == []  # task 2 has not reported window 10 yet
    h.feed(["url", None, None, [report("url", 10, [["/c", 5]], 5)]], source="url_window", task=2)
    [[window, seq]] = h.emitted()
    assert window["time"] == "processing" and seq is None  # no state: not numbered
    assert window["top"] == [["/a", 5], ["/c", 5], ["/b", 1]]
    assert (window["total"], window["distinct"], window["window_end"]) == (11, 3, 10)
    assert len(h.acked()) == 2


def test_rankings_bolt_in_event_time_waits_for_every_task_watermark(tmp_path):
    others = {1: "url_window", 2: "url_window"}
    event = conf(tmp_path, **{"logstorm.time": "event"})
    h = BoltHarness(RankingsBolt, event, name="rankings", task_id=3, other_tasks=others)
    h.feed(["url", None, 10, [report("url", 10, [["/a", 5]], 5)]], source="url_window", task=1)
    h.feed(["url", None, 9, []], source="url_window", task=2)  # task 2 is not past 10 yet
    assert h.emitted() == []
    h.feed(["url", None, 12, []], source="url_window", task=2)  # no URL of task 2 in window 10
    [[window, _]] = h.emitted()
    assert (window["time"], window["window_end"], window["top"]) == ("event", 10, [["/a", 5]])


def status_window(end):
    return {
        "metric": "status", "time": "processing", "window_end": end, "window_secs": 300,
        "slide_secs": 5, "total": 3, "distinct": 2, "top": [["200", 2], ["404", 1]],
    }  # fmt: skip


def test_window_sink_appends_each_window_once_and_logs_a_table(tmp_path, caplog):
    h = BoltHarness(WindowSinkBolt, conf(tmp_path), name="window_sink")
    first, second = status_window(1432000000), status_window(1432000005)
    with caplog.at_level("INFO"):
        for window in (first, first, second, first):  # a window comes again after a crash
            h.feed([window, None])
    assert complete_records(tmp_path / "windows.jsonl") == [first, second]
    assert "status window ending 01:46:40Z (last 300s, every 5s): 3 requests" in caplog.text
    assert "  2  200\n  1  404" in caplog.text
    assert caplog.text.count("status window ending") == 2


def test_a_window_sink_writes_in_the_rankings_order_and_a_restarted_one_mends_its_file(
    tmp_path,
):
    state = {**conf(tmp_path, **{"logstorm.state.path": str(tmp_path)}), "storm.id": "logs-1-1"}
    sink = tmp_path / "windows.jsonl"

    def sink_task():
        return BoltHarness(WindowSinkBolt, state, name="window_sink", task_id=5,
                           other_tasks=topology())  # fmt: skip

    windows = [status_window(end) for end in (100, 105, 110, 115)]
    h = sink_task()
    h.feed([windows[0], 0])
    assert h.emitted("progress") == [[{"status": 1}, {"status": 1}]]  # durable, said
    h.feed([windows[2], 2])  # window 1 lost on its way: 2 waits for it
    h.feed([windows[0], 0])  # a resend of what it has
    assert complete_records(sink) == windows[:1]
    h.feed([windows[1], 1])
    assert complete_records(sink) == windows[:3]

    with open(sink, "a") as fh:  # the next window half written, then kill -9
        fh.write(json.dumps(windows[3])[:30])
    restarted = sink_task()  # its progress: window 0 only was durable when it died
    for seq, window in enumerate(windows):  # the rankings sends again what it lacks
        restarted.feed([window, seq])
    assert complete_records(sink) == windows  # the cut line mended, none twice
    restarted.clear()
    restarted.component.next_sync = 0
    restarted.tick()
    assert restarted.emitted("progress") == [[{"status": 4}, {"status": 4}]]


def test_error_sink_keeps_reason_file_offset_and_raw_line_and_tallies_them(tmp_path):
    h = BoltHarness(ErrorSinkBolt, conf(tmp_path), name="error_sink")
    bad = "unterminated user-agent field"
    h.feed(["/logs/a.log", [[bad, None, 1]], [[bad, 30, BROKEN, None, len(BROKEN)]]])
    h.feed(["/logs/a.log", [["late", "url", 1]], [["late", 90, GOOD, "url", len(GOOD)]]])
    records = complete_records(tmp_path / "errors.jsonl")
    assert records == [
        {"reason": bad, "path": "/logs/a.log", "offset": 30, "line": BROKEN},
        {"reason": "late", "path": "/logs/a.log", "offset": 90, "line": GOOD, "metric": "url"},
    ]  # fmt: skip
    h.tick()  # the tally is written at most once a second, and on ticks
    h.component.next_tally = 0
    h.tick()
    assert json.loads((tmp_path / "errors.counts.json").read_text()) == {
        "late": {"url": 1},
        "malformed": {bad: 1},
        "not_written": 0,
    }


def test_a_restarted_error_sink_goes_on_counting_from_its_tally(tmp_path):
    bad = "unterminated user-agent field"
    for _ in range(2):  # the second task is the first one restarted
        h = BoltHarness(ErrorSinkBolt, conf(tmp_path), name="error_sink")
        h.feed(["/logs/a.log", [[bad, None, 3]], [[bad, 30, BROKEN, None, len(BROKEN)]]])
        h.component.next_tally = 0
        h.tick()
    tally = json.loads((tmp_path / "errors.counts.json").read_text())
    assert tally["malformed"] == {bad: 6} and tally["not_written"] == 4


def test_a_flood_of_bad_lines_is_counted_exactly_and_written_within_the_budget(
    tmp_path, monkeypatch
):
    options = {"logstorm.errors.samples.per.minute": 3, "logstorm.errors.max.bytes": 2500}
    h = BoltHarness(ErrorSinkBolt, conf(tmp_path, **options), name="error_sink")
    monkeypatch.setattr("bolts.sinks.time.time", lambda: 600.0)  # all in one minute
    reason, garbage = "not valid UTF-8", "\ufffd" * 300  # 900 bytes: two to a file
    for chunk in range(200):  # 1,000 lines of 5,000 characters, 5 sampled per chunk
        samples = [[reason, 5 * chunk + i, garbage, None, 5000] for i in range(5)]
        h.feed(["/logs/a.log", [[reason, None, 5]], samples])
    files = [tmp_path / "errors.jsonl", tmp_path / "errors.jsonl.1"]  # rotated at 2,500 bytes
    records = [r for f in reversed(files) for r in complete_records(f)]
    assert [r["offset"] for r in records] == [0, 1, 2]  # this minute's budget, in order
    assert records[0]["line_chars"] == 5000 and all(f.stat().st_size <= 2500 for f in files)
    h.component.next_tally = 0
    h.tick()
    tally = json.loads((tmp_path / "errors.counts.json").read_text())
    assert tally["malformed"] == {reason: 1000} and tally["not_written"] == 997


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("logstorm.input.mode", "follow", "'tail' or 'spool'"),
        ("logstorm.top", "ten", "logstorm.top"),
        ("logstorm.windw.url.secs", 60, "did you mean 'logstorm.window.url.secs'"),
        ("logstorm.time", "wall", "'processing' or 'event'"),
        ("logstorm.allowed_lateness_secs", -1, ">= 0"),
        ("logstorm.input.kind", "socket", "'files' or 'kafka'"),
        ("logstorm.input.kafka.start", "newest", "'earliest' or 'latest'"),
        ("logstorm.input.kafka.topik", "t", "did you mean 'logstorm.input.kafka.topic'"),
    ],
)
def test_bad_logstorm_options_fail_at_start_naming_the_key(tmp_path, key, value, message):
    with pytest.raises(OptionError, match=message):
        BoltHarness(WindowSinkBolt, conf(tmp_path, **{key: value}), name="window_sink")


def test_several_spout_tasks_on_files_are_refused_at_start_naming_both_keys(tmp_path):
    options = {"logstorm.input.kind": "files", "logstorm.input.tasks": 2}
    with pytest.raises(OptionError, match="logstorm.input.tasks.*logstorm.input.kind=files"):
        BoltHarness(WindowSinkBolt, conf(tmp_path, **options), name="window_sink")


def reports_of(window_task):
    """The window reports a window task emitted (heartbeats carry none)."""
    return [report for [_, _, _, reports] in window_task.emitted() for report in reports]


def test_window_bolt_acks_only_journaled_counts_and_a_new_task_resumes(tmp_path, monkeypatch):
    clock = [1000.2]
    monkeypatch.setattr("bolts.windows.time.time", lambda: clock[0])
    state = conf(tmp_path, **{"logstorm.state.path": str(tmp_path / "state")})
    state["storm.id"] = "logs-1-123"
    h = BoltHarness(WindowBolt, state, name="url_window", task_id=7)
    h.component.next_save = float("inf")  # no save due yet
    first = h.feed(bundle([("/a", 2)]))
    assert h.acked() == []  # counted, not yet durable
    h.tick()  # a tick saves the journal, then acks
    assert h.acked() == [first.id]
    assert [*(tmp_path / "state").glob("logs-1-123.*/url_window-7.jsonl")]

    restarted = BoltHarness(WindowBolt, state, name="url_window", task_id=7)
    clock[0] = 1001.5
    restarted.tick()
    [report] = reports_of(restarted)
    assert report[1] == 1001 and report[4:] == (2, 1, [("/a", 2)])


def test_a_topology_submitted_again_resumes_the_windows_its_checkpoint_names(tmp_path, monkeypatch):
    """The resubmit row of docs/guarantees.md: a new run over the same input resumes the window
    state of the run its position file names; a replay from scratch (positions deleted) does
    not inherit it."""
    clock = [1000.2]
    monkeypatch.setattr("bolts.windows.time.time", lambda: clock[0])
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "access.log").write_text(GOOD + "\n")
    options = conf(tmp_path, **{"logstorm.state.path": str(tmp_path / "state"),
                                "logstorm.input.path": str(tmp_path / "logs")})  # fmt: skip

    def run(storm_id, component, name, task):
        return component(
            {**options, "storm.id": storm_id}, name=name, task_id=task, other_tasks=topology()
        )

    def url_task(storm_id):
        return run(storm_id, partial(BoltHarness, WindowBolt), "url_window", 7)

    spout = run("logs-1-1", partial(SpoutHarness, LogFileSpout), "logfiles", 99)
    [chunk] = spout.next_tuple()
    first = url_task("logs-1-1")
    first.feed(bundle([("/a", 1)]))
    first.tick()  # journaled, then acked: the spout commits the line
    spout.ack(chunk["id"])
    positions = tmp_path / "logs" / ".logstorm-positions.json"
    assert json.loads(positions.read_text())["run"] == "logs-1-1"

    clock[0] = 1001.5  # killed before the window ending 1001 was out; submitted again
    again = url_task("logs-2-2")
    again.tick()
    [report] = reports_of(again)
    assert report[1] == 1001 and report[4:] == (1, 1, [("/a", 1)])  # the line is counted

    positions.unlink()  # the log analysed again from its start: its lines come again
    fresh = url_task("logs-3-3")
    clock[0] = 1002.5
    fresh.tick()
    assert [report[4] for report in reports_of(fresh)] == [0]  # the slide ending 1002: empty


def event_state(tmp_path):
    state = conf(tmp_path, **{"logstorm.time": "event", "logstorm.state.path": str(tmp_path)})
    return {**state, "storm.id": "logs-1-123"}


def window_task(tmp_path, task=7, url_tasks=(7,)):
    return BoltHarness(WindowBolt, event_state(tmp_path), name="url_window", task_id=task,
                       other_tasks=topology(url_tasks))  # fmt: skip


def as_json(message):
    """What crosses Storm: lists."""
    return json.loads(json.dumps(message))


def rankings_task(tmp_path, tasks=(7,)):
    return BoltHarness(RankingsBolt, event_state(tmp_path), name="rankings", task_id=3,
                       other_tasks=topology(tasks))  # fmt: skip


def released(rankings):
    """The rankings' released tuples, as every window task receives them."""
    return rankings.emitted("released")


def hear(task, rankings):
    """Deliver the rankings' released tuples to a window task."""
    for message in released(rankings):
        task.feed(message, stream="released", source="rankings", task=3)


def windows_of(rankings):
    return [window for window, _ in rankings.emitted()]


def test_a_restarted_event_time_window_task_sends_again_what_is_not_out(tmp_path):
    h = window_task(tmp_path)
    h.feed(bundle([(1000, "/a", 2)], chunk="c1", watermark=900))
    h.feed([1001], stream="watermarks", source="logfiles")
    [lost] = h.emitted()  # the worker dies with this tuple on its way to the rankings
    h.tick()  # journaled: the task now knows the window ending 1001 closed
    assert lost[3] and len(h.acked()) == 2

    rankings = rankings_task(tmp_path)
    rankings.feed(["url", None, 1000, []], source="url_window", task=7)  # an older beat
    rankings.clear()  # (its first record went out with it)
    restarted = window_task(tmp_path)
    restarted.feed([1002], stream="watermarks", source="logfiles")
    first, newer = restarted.emitted()
    assert as_json([first]) == as_json([lost])  # what is not out goes again, first
    assert newer[1:3] == [1001, 1002]  # chained to it
    rankings.feed(newer, source="url_window", task=7)  # lost again: since 1001 is missing
    assert windows_of(rankings) == [] and rankings.component.by_watermark.gaps == {("url", 7)}
    [(epoch, _)] = released(rankings)  # asked at once, with a new epoch
    assert epoch == 2
    restarted.clear()
    hear(restarted, rankings)
    resent, newer_again = restarted.emitted()
    assert as_json([resent, newer_again]) == as_json([lost, newer])  # in order
    assert all(m["anchors"] == [] for m in restarted.messages("emit"))
    rankings.clear()
    rankings.feed(resent, source="url_window", task=7)
    rankings.component.releaser.next_sync = 0  # its next tuple syncs
    rankings.feed(newer_again, source="url_window", task=7)
    assert [(w["window_end"], w["total"]) for w in windows_of(rankings)] == [(1001, 2), (1002, 2)]
    assert [seq for _, seq in rankings.emitted()] == [0, 1]  # numbered for the sink
    [(_, upto)] = released(rankings)
    assert upto["url"] == 1002

    hear(restarted, rankings)  # the same epoch: nothing asked, what is out is forgotten
    restarted.tick()
    again = window_task(tmp_path)
    again.tick()  # restored with every report out: nothing held, its heartbeat says so
    assert [message[1:] for message in again.emitted()] == [[1002, 1002, []]]
    again.clear()
    again.feed([1003], stream="watermarks", source="logfiles")
    assert [message[1:3] for message in again.emitted()] == [[1002, 1003]]


def test_a_restarted_rankings_asks_again_and_puts_out_each_window_once(tmp_path):
    seven, eight = (window_task(tmp_path, task, url_tasks=(7, 8)) for task in (7, 8))
    rankings = rankings_task(tmp_path, tasks=(7, 8))
    seven.feed(bundle([(1000, "/a", 2)], chunk="c1", watermark=900))
    seven.feed([1001], stream="watermarks", source="logfiles")
    [report] = seven.emitted()
    rankings.feed(report, source="url_window", task=7)
    assert windows_of(rankings) == []  # task 8 not heard yet: then the rankings dies
    hear(seven, rankings)  # its first record: epoch 1

    reborn = rankings_task(tmp_path, tasks=(7, 8))
    seven.clear()
    seven.tick()
    [heartbeat] = seven.emitted()
    assert heartbeat[1:] == [1001, 1001, []]
    reborn.feed(heartbeat, source="url_window", task=7)  # the reborn one starts: epoch 2
    seven.clear()
    hear(seven, reborn)  # a new epoch: the task sends again what is not out
    [resent] = seven.emitted()
    assert as_json(resent) == as_json(report)
    reborn.feed(resent, source="url_window", task=7)
    eight.feed([1001], stream="watermarks", source="logfiles")
    reborn.feed(eight.emitted()[0], source="url_window", task=8)
    [(window, seq)] = reborn.emitted()
    assert (window["window_end"], window["total"], seq) == (1001, 2, 0)

    third = rankings_task(tmp_path, tasks=(7, 8))  # dies again after the window was out
    for message in (resent, heartbeat):
        third.feed(message, source="url_window", task=7)
    third.feed(eight.emitted()[0], source="url_window", task=8)
    assert windows_of(third) == []  # the outbox has it: not released twice
    assert third.component.releaser.next_seq["url"] == 1  # the next window is number 1


def test_the_rankings_sends_the_sink_again_what_its_progress_lacks(tmp_path):
    rankings = rankings_task(tmp_path)
    rankings.feed(["url", None, 1002, [report("url", e, [["/a", 1]], 1) for e in (1001, 1002)]],
                  source="url_window", task=7)  # fmt: skip
    assert [seq for _, seq in rankings.emitted()] == [0, 1]
    rankings.clear()

    def progress(received):
        rankings.feed([received, received], stream="progress", source="window_sink", task=5)
        return [seq for _, seq in rankings.emitted()]

    assert progress({"url": 1}) == []  # the first report: window 1 may be on its way
    assert progress({"url": 1}) == [1]  # it did not move: window 1 was lost, sent again
    rankings.clear()
    assert progress({"url": 2}) == []  # all there
    assert progress({}) == [0, 1]  # a sink restarted with nothing durable: both again


def test_in_processing_time_a_restarted_rankings_gets_the_reports_lost_with_it(
    tmp_path, monkeypatch
):
    """The processing-time rankings row of docs/guarantees.md: reports on their way to a rankings
    that dies are sent again, so every window comes out once and whole."""
    clock = [1000.2]
    monkeypatch.setattr("bolts.windows.time.time", lambda: clock[0])
    state = {**conf(tmp_path, **{"logstorm.state.path": str(tmp_path)}), "storm.id": "logs-1-1"}
    seven, eight = (BoltHarness(WindowBolt, state, name="url_window", task_id=task,
                                other_tasks=topology((7, 8))) for task in (7, 8))  # fmt: skip

    def rankings():
        return BoltHarness(RankingsBolt, state, name="rankings", task_id=3,
                           other_tasks=topology((7, 8)))  # fmt: skip

    rankings()  # the first rankings: it dies with every report below on its way
    seven.feed(bundle([("/a", 2)]))
    eight.feed(bundle([("/b", 1)], chunk="c2"))
    clock[0] = 1001.5
    seven.tick(), eight.tick()  # the window ending 1001: lost
    reborn = rankings()
    windows = []
    for _ in range(4):  # a second each: the tasks hear the epoch, send again, go on
        clock[0] += 1
        reborn.component.releaser.next_sync = 0
        heard = released(reborn)
        reborn.clear()
        for task, harness in ((7, seven), (8, eight)):
            harness.clear()
            for message in heard:
                harness.feed(message, stream="released", source="rankings", task=3)
            harness.tick()
            for message in harness.emitted():
                reborn.feed(message, source="url_window", task=task)
        windows += windows_of(reborn)
    assert [(w["window_end"], w["total"], w["time"]) for w in windows] == [
        (end, 3, "processing") for end in range(1001, int(clock[0]) + 1)
    ]  # every window that ended, once, in order, with both tasks' counts


def test_a_report_lost_on_its_way_is_asked_for_again(tmp_path):
    h = window_task(tmp_path)
    rankings = rankings_task(tmp_path)
    h.feed(bundle([(1000, "/a", 2), (1001, "/b", 1)], chunk="c1", watermark=900))
    h.feed([1001], stream="watermarks", source="logfiles")
    h.feed([1002], stream="watermarks", source="logfiles")
    lost, second = h.emitted()
    rankings.feed(second, source="url_window", task=7)  # since 1001: one is missing
    assert windows_of(rankings) == [] and rankings.component.by_watermark.gaps == {("url", 7)}
    h.clear()
    hear(h, rankings)  # the rankings raised its epoch at once: the task sends the rest again
    for message in h.emitted():
        rankings.feed(message, source="url_window", task=7)
    windows = windows_of(rankings)
    assert [(w["window_end"], w["total"]) for w in windows] == [(1001, 2), (1002, 3)]


def test_the_windows_file_rotates_by_size_and_a_reopened_one_still_writes_each_window_once(
    tmp_path,
):
    from logstorm.output.sinks import WindowFile

    path = tmp_path / "windows.jsonl"
    window = {"metric": "url", "time": "event", "top": [["/a", 1]]}
    out = WindowFile(path, "event", max_bytes=200, keep=2)
    for end in range(10):
        assert out.write({**window, "window_end": end})
    files = [path, tmp_path / "windows.jsonl.1", tmp_path / "windows.jsonl.2"]
    assert all(0 < f.stat().st_size <= 200 for f in files)
    assert not (tmp_path / "windows.jsonl.3").exists()  # keep=2: the oldest dropped
    out.file.rotate()  # as if the sink died just after a rotation: the newest is in .1
    again = WindowFile(path, "event", max_bytes=200, keep=2)
    assert not again.write({**window, "window_end": 9})
    assert again.write({**window, "window_end": 10})
