"""Event-time windows against the brute-force reference (tests/event_reference.py).

The topology is simulated in one process with the real core pieces: the spout's
EventClock stamps chunks in read order; chunks reach the window tasks in any order,
some twice (a replay after a failure elsewhere), some tasks partly, and are acked
in any order; watermark broadcasts reach each task at its own pace; the rankings'
WatermarkMerger merges. Whatever the interleaving, the windows must be the reference's.
"""

import random
import tempfile
from collections import defaultdict
from types import SimpleNamespace

from event_reference import reference_from_events
from hypothesis import given, settings
from hypothesis import strategies as st

from logstorm.output.rankings import WatermarkMerger
from logstorm.parsing.partition import partition
from logstorm.protocol.releaser import Releaser
from logstorm.protocol.sink_order import InOrder
from logstorm.protocol.window_task import ReportSender
from logstorm.sources.watermark import EventClock
from logstorm.state.dir_store import DirStore
from logstorm.watermarks import END_OF_TIME
from logstorm.windows.event_time import EventWindowCounter
from logstorm.windows.report import WindowReport

TOP = 3
KEYS = "abcdefgh"


def make_events(rng: random.Random, n: int, disorder: int) -> list[tuple[int | None, dict]]:
    """n lines: time drifting forward, shuffled by up to `disorder` s, some without time
    or URL, in bursts and gaps (a source going quiet)."""
    events, t = [], 1_000
    for _ in range(n):
        t += rng.choice([0, 0, 1, 1, 2, 7, 40])
        stamp = None if rng.random() < 0.03 else t - rng.randint(0, disorder)
        url = None if rng.random() < 0.1 else rng.choice(KEYS[: rng.randint(1, len(KEYS))])
        events.append((stamp, {"url": url, "status": rng.choice("2345")}))
    return events


def simulate(events, lateness, shapes, tasks, batch, rng, state, faults=False,
             in_flight=4000) -> list[dict]:  # fmt: skip
    """The windows the sink commits under a random but legal schedule, the window
    tasks, the rankings and the sink each running their part of :mod:`logstorm.protocol`
    (the code the bolts delegate to) over a state folder; with faults, any message is
    lost on its way, and the rankings and the sink die (a transaction the sink had not
    committed is aborted) and restart from their state. A task lets at most in_flight
    reports out beyond what the rankings released."""
    slides = {m: s for m, (_, s) in shapes.items()}
    clock = EventClock(lateness, slides)
    counters = {m: [EventWindowCounter(m, w, s, TOP) for _ in range(tasks[m])]
                for m, (w, s) in shapes.items()}  # fmt: skip
    store = DirStore(state)
    inbox = {(m, i): [] for m in shapes for i in range(tasks[m])}  # watermarks not yet seen
    senders = {(m, i): ReportSender(store, f"{m}-{i}", m, counters[m][i], in_flight)
               for m, i in inbox}  # fmt: skip
    to_rankings = {key: [] for key in inbox}  # reports on their way, per task
    to_tasks = {key: [] for key in inbox}  # the rankings' released tuples on their way
    to_sink: list = []  # numbered windows on their way
    from_sink: list = []  # the sink's progress on its way to the rankings
    rankings = SimpleNamespace(releaser=None)
    sink = SimpleNamespace(order=None, pending=[], committed=[])
    chunks = [events[i : i + batch] for i in range(0, len(events), batch)]
    inflight: dict[str, list] = {}

    def rankings_starts():  # what was on its way to it is lost
        for link in to_rankings.values():
            link.clear()
        from_sink.clear()
        rankings.releaser = Releaser(store, WatermarkMerger(dict(tasks), TOP), shapes)

    def sink_starts():  # its open transaction is aborted
        to_sink.clear()
        sink.pending.clear()
        sink.order = InOrder(store)

    def bundles(chunk_id, stamp, lines):
        late = {m: set(ix) for m, ix in stamp.late.items()}
        per_metric = {m: defaultdict(int) for m in shapes}
        for i, (t, keys) in enumerate(lines):
            for m in shapes:
                if t is not None and keys[m] is not None and i not in late.get(m, ()):
                    per_metric[m][t // slides[m], keys[m]] += 1
        for m, counts in per_metric.items():
            items = [(s, k, n) for (s, k), n in counts.items()]
            for part, bundle in partition(items, tasks[m], key_at=1).items():
                yield m, part, f"{chunk_id}#{part}", stamp.watermark, bundle

    def deliver(chunk_id, only_some=False):
        stamp, lines = inflight[chunk_id]
        for m, part, part_id, watermark, bundle in bundles(chunk_id, stamp, lines):
            if not only_some or rng.random() < 0.5:
                counters[m][part].add_chunk(part_id, watermark, bundle)

    def hear(key):  # the task sees its watermarks and the rankings' records
        m, i = key
        for watermark in inbox[key]:
            to_rankings[key].extend(senders[key].send(watermark, counters[m][i].advance(watermark)))
        inbox[key].clear()
        for message in to_tasks[key]:
            to_rankings[key].extend(senders[key].hear_released(message.epoch, message.released))
        to_tasks[key].clear()

    def task_saves(key):
        heartbeat = senders[key].save(counters[key[0]][key[1]])
        if heartbeat is not None:
            to_rankings[key].append(heartbeat)

    def rankings_takes(key):  # the oldest message on its way from a task
        message = to_rankings[key].pop(0)
        reports = [WindowReport(*r) for r in message.reports]
        windows = rankings.releaser.merger.add(key[1], message.metric, message.since,
                                               message.watermark, reports)  # fmt: skip
        to_sink.extend(rankings.releaser.release(windows))

    def rankings_syncs():
        message = rankings.releaser.sync()
        for link in to_tasks.values():
            link.append(message)

    def rankings_hears_sink():
        progress = from_sink.pop(0)
        to_sink.extend(rankings.releaser.hear_sink(progress.received, progress.durable))

    def sink_takes():
        sink.pending.extend(sink.order.take(*to_sink.pop(0)))

    def sink_commits():  # its second's transaction: the windows with its progress
        sink.order.save()
        sink.committed.extend(sink.pending)
        sink.pending.clear()
        from_sink.append(sink.order.progress())

    rankings_starts()
    sink_starts()
    next_chunk = 0
    while next_chunk < len(chunks) or inflight:
        action = rng.random()
        if action < 0.3 and next_chunk < len(chunks):
            chunk_id = f"c{next_chunk}"
            lines = chunks[next_chunk]
            inflight[chunk_id] = (clock.stamp(chunk_id, [t for t, _ in lines]), lines)
            next_chunk += 1
            if rng.random() < 0.2:
                deliver(chunk_id, only_some=True)  # then it fails and comes again
        elif action < 0.6 and inflight:
            chunk_id = rng.choice(sorted(inflight))
            deliver(chunk_id)
            if rng.random() < 0.2:
                deliver(chunk_id)  # a replay of a chunk already counted
            clock.done(chunk_id)
            del inflight[chunk_id]
        elif action < 0.7:
            watermark = clock.broadcast()
            for key in inbox:
                inbox[key].append(watermark)
        elif action < 0.78:
            hear(rng.choice(sorted(inbox)))
        else:
            fault = rng.random() if faults else 1.0
            links = [*to_rankings.values(), *to_tasks.values(), to_sink, from_sink]
            busy = [link for link in links if link]
            if fault < 0.08 and busy:
                busy[rng.randrange(len(busy))].pop(0)  # lost on its way
            elif fault < 0.11:
                rankings_starts()  # the rankings died
            elif fault < 0.14:
                sink_starts()  # the sink died
            else:
                step = rng.random()
                ready = sorted(key for key in to_rankings if to_rankings[key])
                if step < 0.15:
                    rankings_syncs()
                elif step < 0.35:
                    task_saves(rng.choice(sorted(inbox)))
                elif step < 0.45:
                    sink_commits()
                elif step < 0.55 and from_sink:
                    rankings_hears_sink()
                elif step < 0.75 and to_sink:
                    sink_takes()
                elif ready:
                    rankings_takes(rng.choice(ready))
    clock.finish()
    assert clock.broadcast() == END_OF_TIME
    for key in inbox:
        inbox[key].append(END_OF_TIME)
    rounds = 0  # no more faults: a second at a time, until nothing is held
    while rounds < 10 or any(sender.holds() for sender in senders.values()):
        rounds += 1
        assert rounds < 10_000, "the held reports never all went out"
        for key in inbox:
            hear(key)
            task_saves(key)
            while to_rankings[key]:
                rankings_takes(key)
        rankings_syncs()
        while to_sink:
            sink_takes()
        sink_commits()
        while from_sink:
            rankings_hears_sink()
    assert not rankings.releaser.merger.gaps and not any(sink.order.held.values())
    return sink.committed


@settings(max_examples=150, deadline=None)
@given(
    seed=st.integers(0, 10**9),
    n=st.integers(0, 250),
    disorder=st.integers(0, 30),
    lateness=st.integers(0, 40),
    shape=st.sampled_from([((10, 1), (10, 5)), ((6, 2), (12, 3)), ((300, 1), (300, 5))]),
    tasks=st.tuples(st.integers(1, 4), st.integers(1, 3)),
    batch=st.integers(1, 40),
    faults=st.booleans(),
    in_flight=st.sampled_from([1, 3, 4000]),
)
def test_windows_equal_the_reference_under_any_schedule(
    seed, n, disorder, lateness, shape, tasks, batch, faults, in_flight
):
    """With faults too: any message lost on its way, the rankings and the sink dying and
    restarting, and however few reports a task may have in flight: the committed
    windows are the reference's, each once."""
    rng = random.Random(seed)
    events = make_events(rng, n, disorder)
    shapes = {"url": shape[0], "status": shape[1]}
    want, _ = reference_from_events(events, lateness, shapes, TOP)
    tasks = dict(zip(shapes, tasks, strict=True))
    with tempfile.TemporaryDirectory() as state:
        got = simulate(events, lateness, shapes, tasks, batch, rng, state, faults, in_flight)
    key = lambda w: (w["metric"], w["window_end"])  # noqa: E731
    assert sorted(got, key=key) == want


def test_the_sink_commits_each_window_once_and_in_order_when_anything_dies():
    rng = random.Random(7)
    events = make_events(rng, 400, 20)
    shapes = {"url": (10, 1), "status": (10, 5)}
    with tempfile.TemporaryDirectory() as state:
        got = simulate(events, 20, shapes, {"url": 3, "status": 2}, 13, rng, state, faults=True)
    for metric in shapes:
        ends = [w["window_end"] for w in got if w["metric"] == metric]
        assert ends == sorted(set(ends))


def test_lateness_is_decided_line_by_line_in_read_order():
    clock = EventClock(10, {"url": 1, "status": 5})
    stamp = clock.stamp("c1", [100, 95, 89, 85, None, 120, 104])
    # before 89 the newest is 100: watermark 90; 89's first URL window ends at 90 (late),
    # its first status window ends at 90 too; 85's windows end at 86 / 90: late for both.
    # After 120 the watermark is 110: 104 is late for URLs (ends 105) and statuses (105).
    assert stamp.late == {"url": [2, 3, 6], "status": [2, 3, 6]}
    assert stamp.watermark < 0  # nothing read before the chunk
    assert clock.stamp("c1", [0]) is stamp  # a chunk sent again keeps its stamp


def test_the_broadcast_watermark_waits_for_the_oldest_unacked_chunk():
    clock = EventClock(5, {"url": 1})
    clock.stamp("a", [100])
    clock.stamp("b", [200])
    clock.stamp("c", [300])
    clock.done("c")
    clock.done("a")
    assert clock.broadcast() == 95  # b, stamped when the newest was 100, holds it back
    clock.done("b")
    assert clock.broadcast() == 295
    assert clock.checkpoint_max_time() == 300  # what a restarted spout resumes from


def test_a_dropped_chunk_stops_holding_the_watermark_back():
    clock = EventClock(0, {"url": 1})
    clock.stamp("a", [10])
    clock.stamp("b", [20])
    assert clock.broadcast(outstanding=["b"]) == 10  # a was dropped (file truncated)


def test_an_idle_tail_lets_the_watermark_follow_the_clock():
    clock = EventClock(30, {"url": 1})
    clock.stamp("a", [1000])
    clock.done("a")
    assert clock.broadcast() == 970
    clock.idle(45.0)
    assert clock.broadcast() == 1015
    assert clock.stamp("b", [1010]).late == {"url": [0]}  # its window closed while idle


def test_a_restarted_window_task_resumes_from_its_journal_entries():
    steady = EventWindowCounter("url", 10, 2, TOP)
    saved = EventWindowCounter("url", 10, 2, TOP)
    entries = []
    rng = random.Random(3)
    reports_steady, reports_restored = [], []
    for step in range(60):
        items = [(rng.randint(step, step + 5), rng.choice(KEYS), 1) for _ in range(3)]
        for c in (steady, saved):
            c.add_chunk(f"c{step}", step * 2 - 5, items)
        entries.append(saved.journal_entry())
        if step % 7 == 0:
            entries = [saved.snapshot_entry()]  # compaction
        if step % 5 == 0:
            reports_steady += steady.advance(step * 2 - 5)
            reports_restored += saved.advance(step * 2 - 5)
        if step == 33:
            saved = EventWindowCounter("url", 10, 2, TOP)
            saved.restore(entries)
            assert not saved.add_chunk("c33", 0, [(40, "a", 1)])  # remembered: a replay
    reports_steady += steady.advance(END_OF_TIME)
    reports_restored += saved.advance(END_OF_TIME)
    assert reports_restored == reports_steady


@settings(max_examples=300, deadline=None)
@given(
    chunks=st.lists(
        st.lists(st.one_of(st.none(), st.integers(900, 1100)), max_size=30), max_size=4
    ),  # fmt: skip
    lateness=st.sampled_from([0, 3, 30]),
    slides=st.fixed_dictionaries({"url": st.integers(1, 3), "status": st.integers(4, 10)}),
    floor=st.one_of(st.none(), st.integers(900, 1100)),
)
def test_a_line_is_late_exactly_when_its_first_window_ended_by_the_watermark_before_it(
    chunks, lateness, slides, floor
):
    clock = EventClock(lateness, slides)
    if floor is not None:
        clock.floor = floor  # as idle() raises it
    newest = None
    for n, times in enumerate(chunks):
        want: dict[str, list[int]] = {}
        for i, t in enumerate(times):  # the module's definition, line by line
            if t is None:
                continue
            watermark = clock.floor if newest is None else max(newest - lateness, clock.floor)
            for metric, slide in slides.items():
                if (t // slide + 1) * slide <= watermark:
                    want.setdefault(metric, []).append(i)
            newest = t if newest is None else max(newest, t)
        stamp = clock.stamp(f"chunk-{n}", times)
        assert stamp.late == want and stamp.max_time == newest
