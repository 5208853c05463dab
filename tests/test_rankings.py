"""Global top-N from per-task reports: exact for any partition of keys, ties included."""

import random
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from logstorm.output.rankings import WindowMerger
from logstorm.windows.report import WindowReport, rank


def report(task_counts, end=10, metric="url", n=3):
    return WindowReport(
        metric, end, 300, 1, task_counts.total(), len(task_counts), rank(task_counts.items(), n)
    )


def test_rank_orders_count_desc_then_key_asc():
    assert rank([("b", 2), ("a", 2), ("c", 5), ("d", 1)], 3) == [("c", 5), ("a", 2), ("b", 2)]


@settings(max_examples=300, deadline=None)
@given(
    counts=st.dictionaries(st.text("abcdef", min_size=1, max_size=3), st.integers(1, 4)),
    n=st.integers(0, 8),
)
def test_rank_is_the_first_n_of_all_pairs_sorted_ties_included(counts, n):
    # few distinct counts: ties at the n-th count are the rule here
    want = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
    assert rank(Counter(counts).items(), n) == want
    assert rank(list(counts.items()), n) == want


@settings(max_examples=200, deadline=None)
@given(
    counts=st.dictionaries(st.text("abcdef", min_size=1, max_size=3), st.integers(1, 6)),
    tasks=st.integers(1, 5),
    n=st.integers(1, 6),
    seed=st.integers(0, 10**6),
)
def test_merged_top_n_is_exact_for_any_partition(counts, tasks, n, seed):
    rng = random.Random(seed)
    parts = [Counter() for _ in range(tasks)]
    for key, count in counts.items():  # fields grouping: each key in exactly one task
        parts[rng.randrange(tasks)][key] = count
    merger = WindowMerger({"url": tasks}, n)
    out = []
    for task, part in enumerate(parts):
        out += merger.add(task, report(part, n=n))
    assert len(out) == 1
    window = out[0]
    assert window["top"] == [list(kv) for kv in rank(counts.items(), n)]
    assert window["total"] == sum(counts.values())
    assert window["distinct"] == len(counts)
    assert "partial" not in window


def test_window_waits_for_every_task():
    merger = WindowMerger({"url": 2, "status": 1}, 3)
    assert merger.add(0, report(Counter(a=1))) == []
    assert merger.add(5, report(Counter(b=2)))[0]["top"] == [["b", 2], ["a", 1]]


def test_a_silent_task_releases_older_windows_as_partial_in_order():
    merger = WindowMerger({"url": 2}, 3)
    merger.add(0, report(Counter(a=1), end=10))  # task 1 never reports window 10
    merger.add(0, report(Counter(a=2), end=11))
    out = merger.add(1, report(Counter(b=1), end=11))
    assert [w["window_end"] for w in out] == [10, 11]
    assert out[0]["partial"] == "1 of 2 tasks did not report"
    assert "partial" not in out[1]
    assert merger.pending == {}


def test_a_report_for_a_window_already_released_is_dropped():
    merger = WindowMerger({"url": 1}, 3)
    assert merger.add(0, report(Counter(a=1), end=10))
    assert merger.add(0, report(Counter(a=1), end=10)) == []  # a restarted task, again
    assert merger.add(0, report(Counter(a=1), end=9)) == []
    assert merger.pending == {}
    assert merger.add(0, report(Counter(a=2), end=11))[0]["window_end"] == 11
