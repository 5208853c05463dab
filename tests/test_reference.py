"""The benchmarks' reference (bench/reference.py: the job in one plain Python process)
gives the brute-force reference's windows, and bench/peer_check.py tells a peer's
windows that differ from them: the figures of both stand on this."""

import sys

import pytest
from event_reference import reference_windows
from sparse_run import PROJECT

sys.path.insert(0, str(PROJECT / "bench"))

from peer_check import compare
from reference import LATENESS, blocks, generated, windows


def shape(window: dict) -> dict:
    return {k: window[k] for k in ("metric", "window_end", "top")}


@pytest.mark.parametrize(
    ("lines", "rate", "block"),
    [(15_000, 20.0, 1_000), (40_000, 1_000.0, 20_000), (6_000, 2.0, 777)],  # full, fast, gaps
)
def test_the_reference_gives_the_brute_force_windows(lines, rate, block):
    log = generated(lines, rate)
    want, late = reference_windows(log, LATENESS)
    got = sorted(windows(blocks(log, block)), key=lambda w: (w["metric"], w["window_end"]))
    assert got == [shape(w) for w in want] and not late


def test_a_peer_is_identical_only_with_every_closed_window_and_each_top_equal():
    want = [shape(w) for w in reference_windows(generated(3_000, 5.0), LATENESS)[0]]
    watermark = max(w["window_end"] for w in want) - 400
    assert compare(want, want, watermark)["identical"]
    closed_only = [w for w in want if w["window_end"] <= watermark]
    assert compare(closed_only, want, watermark)["identical"]  # open ones may be missing
    assert compare(closed_only[1:], want, watermark)["missing"] == 1
    swapped = [{**w, "top": w["top"][::-1]} if i == 5 else w for i, w in enumerate(want)]
    assert compare(swapped, want, watermark)["different"] == 1
    moved = [{**w, "window_end": w["window_end"] + 1} for w in want]
    assert not compare(moved, want, watermark)["identical"]
