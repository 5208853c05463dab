"""Quix Streams peer of the logs topology's event-time replay (checked by bench/peer_check.py).

    <quix venv python> bench/quix_peer.py --broker 127.0.0.1:9092 --topic TOPIC --lines N
                                          --windows OUT.jsonl

The job as a Python user would write it on Quix Streams 3.28 (venv: ``tools/bench-venv
quix``): an ``Application`` reads TOPIC of the project's broker (``tools/kafka``) from
the earliest offset, with a new consumer group and a new state folder each run, RocksDB
state without changelog topics (a one-off replay recovers nothing). TOPIC holds the log's
N lines, one per message, in one partition, so in the file's order (with more, Quix
reads partitions in no set order, a watermark per partition); with one partition
``group_by`` re-keys in place, no repartition topic. The topic's timestamp extractor gives
each message its line's time (``event_time``, in ms); an ``apply`` parses it with
logstorm's own parser and drops malformed lines. Per metric (URLs: 300 s windows hopping
by 1 s, statuses: 300 s by 5 s, aligned to the epoch): ``group_by`` the key, then
``hopping_window(300 s, slide, grace_ms=30 s).count().final(closing_strategy="partition")``
emits each (window, key, count) once the newest time seen passes the window's end by
30 s. Those are re-keyed to the metric (one key) and collected per window by a
``tumbling_window(slide).collect().final()``: a count carries its window's start as its
timestamp, so each tumbling window holds one hopping window's counts; when it closes an
``apply`` ranks its top-10 (by count, then key) and writes it as a JSON line.

Three settings make the windows the reference's:

- ``closing_strategy="partition"``: with the default (``"key"``) a URL's windows close
  only when that URL comes again, so a window's counts would trickle out over the log.
- The tumbling windows' grace is 330 s (``WINDOW + LATENESS``), not Quix's default 0: a
  line that closes several hopping windows at once (after a gap in the log) emits their
  counts key by key, each key's windows in order, so one window's counts can come after
  those of windows up to 330 s later, and with grace 0 they are dropped as late (on a
  log with gaps; the check file, a line every 50 ms, closes one window at a time).
- The end of the input: Quix has none (no flush), so the N-th line also sends an
  end-of-input record, timestamped far in the future like Flink's final watermark, to
  the tumbling windows: it closes those whose counts have all come. Then ``app.stop()``.
  Hopping windows the final watermark leaves open are not emitted.

A line late for a hopping window is dropped from it (``on_late``) but still counted in
its open windows; the lines dropped from any window are printed at the end:
``{"late": N}``. With ``closing_strategy="partition"`` Quix measures lateness from the
end of the newest closed window, not from the newest time: a line 30 to 60 s behind is
counted into windows already emitted, so lost, and not reported (the windows of an
in-order log, the benchmark's, are not affected).
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

from quixstreams import Application

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from logstorm.parsing.accesslog import MalformedLine, event_time, parse_line  # noqa: E402

WINDOW, LATENESS, TOP_N = 300, 30, 10  # seconds, seconds, keys
SLIDES = {"url": 1, "status": 5}  # metric -> slide in seconds
END_OF_INPUT_MS = 1 << 62  # the end-of-input record's timestamp: after every window


def line_time(line: str, headers: Any, timestamp: float, timestamp_type: Any) -> int:
    """The timestamp extractor: the line's time in ms (Kafka's if it has none)."""
    seconds = event_time(line)
    return int(timestamp) if seconds is None else seconds * 1000


def keys_of(line: str) -> dict[str, str | None] | None:
    """The line's key per metric (no URL: None), or None if the line is malformed."""
    try:
        record = parse_line(line)
    except MalformedLine:
        return None
    return {"url": record.path, "status": "-" if record.status is None else str(record.status)}


def top_json(metric: str, window: dict[str, Any]) -> str:
    """A closed tumbling window of (key, count) rows as a JSON line with its top-N."""
    top = sorted(window["value"], key=lambda kv: (-kv[1], kv[0]))[:TOP_N]
    end = window["start"] // 1000 + WINDOW  # the hopping window's, which starts there
    return json.dumps({"metric": metric, "window_end": end, "top": top})


def run_job(broker: str, topic: str, lines: int, out: Path) -> int:
    """Run the job over the topic's first `lines` lines, windows into out; lines late."""
    late: set[int] = set()  # offsets of the lines a window dropped as late

    def on_late(value, key, timestamp_ms, late_by_ms, start, end, store, topic_, part, offset):
        late.add(offset)
        return False  # counted, not logged

    with tempfile.TemporaryDirectory(prefix="quix-peer-") as state, open(out, "w") as sink:
        app = Application(
            broker_address=broker,
            consumer_group=f"logstorm-quix-peer-{uuid.uuid4().hex}",
            auto_offset_reset="earliest",
            state_dir=state,
            use_changelog_topics=False,
            auto_create_topics=False,
            loglevel="WARNING",
        )
        source = app.topic(topic, value_deserializer="str", timestamp_extractor=line_time)
        log = app.dataframe(source)
        events = log.apply(keys_of).filter(lambda keys: keys is not None)
        seen = itertools.count(1)
        # a branch made after events', so for the N-th line it runs once events' is done
        end = log.filter(lambda _: next(seen) == lines)
        end = end.set_timestamp(lambda *_: END_OF_INPUT_MS)
        for metric, slide in SLIDES.items():
            counts = (
                events.filter(lambda keys, m=metric: keys[m] is not None)
                .group_by(lambda keys, m=metric: keys[m], name=f"{metric}-key")
                .hopping_window(
                    WINDOW * 1000,
                    slide * 1000,
                    grace_ms=LATENESS * 1000,
                    name=f"{metric}-counts",
                    on_late=on_late,
                )
                .count()
                .final(closing_strategy="partition")
            )
            (
                counts.apply(lambda window, key, *_: [key, window["value"]], metadata=True)
                .concat(end)
                .group_by(lambda _, m=metric: m, name=f"{metric}-one")
                .tumbling_window(
                    slide * 1000, grace_ms=(WINDOW + LATENESS) * 1000, name=f"{metric}-top"
                )
                .collect()
                .final()
                .update(lambda window, m=metric: sink.write(top_json(m, window) + "\n"))
            )
        end.update(lambda _: app.stop())
        app.run(timeout=60, collect=False)  # timeout: no message for 60 s
        if next(seen) <= lines:
            raise SystemExit(f"quix_peer: {topic} ended before line {lines}")
    return len(late)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--broker", required=True, help="Kafka bootstrap servers")
    ap.add_argument("--topic", required=True, help="the log's lines, one partition")
    ap.add_argument("--lines", type=int, required=True, help="lines in the topic")
    ap.add_argument("--windows", type=Path, required=True)
    args = ap.parse_args()
    print(json.dumps({"late": run_job(args.broker, args.topic, args.lines, args.windows)}))


if __name__ == "__main__":
    main()
