"""A window task's journal: a restarted task resumes exactly where the saved one was."""

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from logstorm.protocol.journal import WindowJournal
from logstorm.state.dir_store import DirStore
from logstorm.windows.processing_time import SlidingWindowCounter

START = 5_000.5


def journal_at(path, compact_every=300):
    """The journal of a task whose run's state is the folder of path (a new process's view)."""
    return WindowJournal(DirStore(path.parent).log(path.name), compact_every=compact_every)


def counter(now=START, window=10, slide=1):
    return SlidingWindowCounter("url", window, slide, 5, now)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    crash_at=st.integers(0, 119),
    shape=st.sampled_from([(10, 1), (10, 5), (6, 2)]),
    compact_every=st.integers(1, 7),
)
def test_a_restored_task_reports_what_the_uninterrupted_one_reports(
    tmp_path_factory, seed, crash_at, shape, compact_every
):
    """Save every step; crash after step crash_at (losing nothing saved); restore; go on."""
    window, slide = shape
    rng = random.Random(seed)
    steps = [(rng.uniform(0, 0.7), rng.choice("abcdef"), rng.random() < 0.3) for _ in range(120)]
    path = tmp_path_factory.mktemp("journal") / "task.jsonl"
    steady = counter(window=window, slide=slide)
    crashing = counter(window=window, slide=slide)
    journal = journal_at(path, compact_every=compact_every)
    now = START
    want, got = [], []
    for i, (dt, key, tick) in enumerate(steps):
        now += dt
        for c in (steady, crashing):
            c.add(key, 1, now)
        if tick:
            want += steady.close_until(now)
            got += crashing.close_until(now)
        journal.save(crashing)
        if i == crash_at:
            crashing = counter(now, window, slide)  # a new process, empty
            assert journal_at(path).restore(crashing)
            journal = journal_at(path, compact_every=compact_every)
    want += steady.close_until(now + window + slide)
    got += crashing.close_until(now + window + slide)
    assert got == want


def test_slides_that_ended_while_down_are_reported_after_the_restart(tmp_path):
    path = tmp_path / "j.jsonl"
    c = counter()
    c.add("/a", 3, START + 0.1)
    c.close_until(START + 1.0)  # slide 5000 reported
    c.add("/b", 1, START + 1.2)  # slide 5001, not reported before the crash
    journal_at(path).save(c)
    later = counter(START + 4.0)
    journal_at(path).restore(later)
    reports = later.close_until(START + 4.0)
    assert [r.window_end for r in reports] == [5002, 5003, 5004]  # not 5001 again
    assert reports[0].total == 4 and reports[0].top == [("/a", 3), ("/b", 1)]
    assert reports[0].window_secs == 2  # the window started before the crash


def test_counts_older_than_the_window_are_not_restored(tmp_path):
    path = tmp_path / "j.jsonl"
    c = counter()
    c.add("/old", 1, START)
    c.close_until(START + 1)
    journal_at(path).save(c)
    later = counter(START + 60)
    journal_at(path).restore(later)
    assert later.close_until(START + 60)[-1].total == 0
    assert later.totals == {}


def test_a_torn_last_line_is_ignored(tmp_path):
    path = tmp_path / "j.jsonl"
    c = counter()
    c.add("/a", 2, START)
    journal_at(path).save(c)
    with open(path, "a") as fh:
        fh.write('{"started": 1, "closed_thro')  # the process died mid-write
    restored = counter()
    assert journal_at(path).restore(restored)
    assert restored.close_until(START + 1)[0].top == [("/a", 2)]


def test_compaction_rewrites_the_journal_as_one_line(tmp_path):
    path = tmp_path / "j.jsonl"
    c = counter()
    journal = journal_at(path, compact_every=3)
    for i in range(6):
        c.add("/a", 1, START + i * 0.4)
        journal.save(c)
    assert len(path.read_text().splitlines()) == 1  # the sixth save compacted
    restored = counter()
    journal_at(path).restore(restored)
    assert restored.close_until(START + 3)[-1].total == 6


def test_no_journal_means_a_fresh_start(tmp_path):
    assert not journal_at(tmp_path / "none.jsonl").restore(counter())
