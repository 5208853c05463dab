"""Whether a peer's windows are the job's windows: the brute-force reference, compared.

    .venv/bin/python bench/peer_check.py --log FILE --windows PEER.jsonl

A peer of the replay benchmark (``bench/*_peer.py``) writes each window it emits as a
JSON line ``{"metric": "url"|"status", "window_end": <epoch s>, "top": [[key, count],
...]}``: the top-10 by count, ties by key. Its figures count only if those windows are
the reference's (``tests/event_reference.py``, 30 s allowed lateness) for the same log:
every window the reference closes by the log's final watermark, none other, each top-10
equal. Windows after the final watermark (still open when the log ends) are compared
only where the peer emitted them: engines differ in whether they flush at the end.
The peers count URLs and statuses, the job they were written for; logstorm and the
reference also count client hosts (:mod:`logstorm.metrics`), a third of their work
the peers are spared: their figures flatter them by that much.

>>> ref = [{"metric": "url", "window_end": 5, "top": [["/a", 2]]},
...        {"metric": "url", "window_end": 6, "top": [["/a", 1]]}]
>>> compare([{"metric": "url", "window_end": 5, "top": [["/a", 2]]}], ref, 5)
{'windows': 1, 'expected': 1, 'missing': 0, 'extra': 0, 'different': 0, 'identical': True}
>>> compare([{"metric": "url", "window_end": 5, "top": [["/a", 3]]}], ref, 5)["identical"]
False
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from event_reference import SHAPES, reference_windows  # noqa: E402

from logstorm.parsing.accesslog import event_time  # noqa: E402

LATENESS = 30  # seconds, the topology's default allowed lateness
PEER_METRICS = ("url", "status")  # what the peers count


def compare(peer: Iterable[dict], reference: list[dict], watermark: int) -> dict[str, Any]:
    """Peer windows against the reference's; watermark: the last one the log reaches."""
    ours = {(w["metric"], w["window_end"]): [list(kv) for kv in w["top"]] for w in peer}
    want = {(w["metric"], w["window_end"]): [list(kv) for kv in w["top"]] for w in reference}
    due = {k for k in want if k[1] <= watermark}
    missing = len(due - ours.keys())
    extra = len(ours.keys() - want.keys())
    different = sum(1 for k in ours.keys() & want.keys() if ours[k] != want[k])
    return {
        "windows": len(ours),
        "expected": len(due),
        "missing": missing,
        "extra": extra,
        "different": different,
        "identical": not (missing or extra or different),
    }


def check_file(log: Path, windows: Path) -> dict[str, Any]:
    """The peer's windows file against the reference windows of log."""
    lines = log.read_text().splitlines()
    reference, _ = reference_windows(lines, LATENESS, {m: SHAPES[m] for m in PEER_METRICS})
    times = [t for t in map(event_time, lines) if t is not None]
    peer = [json.loads(text) for text in windows.read_text().splitlines() if text.strip()]
    return compare(peer, reference, max(times) - LATENESS)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--log", type=Path, required=True)
    ap.add_argument("--windows", type=Path, required=True)
    args = ap.parse_args()
    verdict = check_file(args.log, args.windows)
    print(json.dumps(verdict))
    sys.exit(0 if verdict["identical"] else 1)


if __name__ == "__main__":
    main()
