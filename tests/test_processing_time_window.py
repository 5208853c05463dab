"""SlidingWindowCounter against a brute-force recount, with jittery and skipped ticks."""

import itertools
import math
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logstorm.windows.processing_time import SlidingWindowCounter
from logstorm.windows.report import rank

START = 1_000_000.25  # mid-slide, like a real start


def brute_force(events, end, window):
    """Counts of events whose slide lies in [end - window, end)."""
    return Counter({k: 0 for _, k in events}) + Counter(
        k for t, k in events if end - window <= t < end
    )


def replay(window, slide, steps, top_n=3):
    """steps: ("add", dt, key) or ("tick", dt); time only moves forward."""
    counter = SlidingWindowCounter("m", window, slide, top_n, START)
    now, events, reports = START, [], []
    for step in steps:
        now += step[1]
        if step[0] == "add":
            counter.add(step[2], 1, now)
            events.append((now, step[2]))
        else:
            reports.extend(counter.close_until(now))
    return counter, events, reports


steps = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.floats(0, 3), st.sampled_from("abcdefg")),
        st.tuples(st.just("tick"), st.floats(0, 12)),  # late, bunched or skipped ticks
    ),
    max_size=120,
)


@settings(max_examples=300, deadline=None)
@given(steps=steps, shape=st.sampled_from([(10, 1), (10, 5), (6, 2), (300, 5)]))
def test_every_report_equals_a_recount_of_its_window(steps, shape):
    window, slide = shape
    _, events, reports = replay(window, slide, steps)
    ends = [r.window_end for r in reports]
    for before, after in itertools.pairwise(ends):
        assert after > before  # in order, and a slide is skipped only if its window is empty
        assert all(not +brute_force(events, skipped, window)
                   for skipped in range(before + slide, after, slide))  # fmt: skip
    for r in reports:
        want = +brute_force(events, r.window_end, window)
        assert r.total == want.total()
        assert r.distinct == len(want)
        assert r.top == rank(want.items(), 3)
        assert r.window_end % slide == 0
        assert r.window_secs == min(window, math.ceil(r.window_end - START))


def test_keys_expire_so_memory_stays_bounded():
    counter = SlidingWindowCounter("url", 10, 1, 5, START)
    now = START
    for i in range(10_000):  # a new key every 0.1 s
        now += 0.1
        counter.add(f"/page/{i}", 1, now)
        if i % 10 == 0:
            counter.close_until(now)
    counter.close_until(now)
    assert len(counter.totals) <= 10 * 10 + 10  # about one window's worth of keys
    assert len(counter.closed) == 10
    assert len(counter.open) <= 2
    counter.close_until(now + 11)
    assert counter.totals == {} and counter.total == 0


def test_a_long_pause_reports_the_window_emptying_then_skips_to_now():
    counter = SlidingWindowCounter("url", 10, 1, 5, 100.0)
    counter.add("/a", 2, 100.5)
    reports = counter.close_until(86_500.0)  # a task resumed from its journal a day later
    ends = [r.window_end for r in reports]
    assert ends[:11] == list(range(101, 112))  # /a leaves the window at 111
    assert [r.total for r in reports[:11]] == [2] * 10 + [0]
    assert ends[11:] == list(range(86_491, 86_501))  # then the last window's slides only
    assert len(counter.closed) == 10 and counter.total == 0


def test_late_tick_closes_each_slide_that_passed():
    counter = SlidingWindowCounter("status", 300, 5, 10, 100.0)
    counter.add(200, 3, 101.0)
    counter.add(404, 1, 107.0)
    reports = counter.close_until(116.0)  # the ticks for 105 and 110 and 115 came late
    assert [r.window_end for r in reports] == [105, 110, 115]
    assert [r.total for r in reports] == [3, 4, 4]
    assert [r.window_secs for r in reports] == [5, 10, 15]  # actual length while filling


def test_window_must_be_a_multiple_of_the_slide():
    with pytest.raises(ValueError, match="multiple of the slide"):
        SlidingWindowCounter("url", 300, 7, 10, START)
