"""Replay rate of the logs topology by event time, per multilang serializer, beside its peers.

    .venv/bin/python bench/replay.py [--lines 2000000] [--serializers json msgpack]
                                     [--flink udf sql] [--peers bytewax quix pathway]

What every engine can be asked on the same terms: read a multi-million-line log to
its end by event time. For each serializer, a fresh ``sparse run -n logs`` (spool
mode, event time, ``local`` parallelism) waits on an empty inbox; once its spout is
up, a file of generated lines (seed 0, 1,000 lines per second of log time) is moved
in whole. The rate is lines / (moved in -> the spout renames it ``.COMPLETED``, every
line acked), so Storm's start-up is left out. CPU: user + system seconds of every
process of the run over that span, per million lines; RSS: their sum, the peak of
0.5 s samples. Its windows are compared with the reference's (``bench/reference.py``,
the job in one plain Python process, itself checked against the brute-force
reference), which runs in the same invocation: the table gives each engine's CPU per
line over the reference's.

With ``--flink`` and ``--peers``, the same file is replayed by the other engines'
jobs (``bench/peers.py``: each in its own venv, checked, timed without its start-up).
Writes its table to BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import atexit
import functools
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "bench")]

from live_latency import (  # noqa: E402
    BROKER,
    KAFKA,
    cpu_secs,
    machine,
    rss_mib,
    session_procs,
    started_here,
)
from parse_rate import write_section  # noqa: E402
from peer_check import compare  # noqa: E402
from peers import PYTHON_PEERS, flink, python_peer, ship  # noqa: E402
from profile_logs import component_of  # noqa: E402
from reference import LATENESS, LOG_RATE, blocks, reference_figures, windows  # noqa: E402
from sparse_run import SparseRun, wait_for  # noqa: E402

from logstorm import logs_options as opt  # noqa: E402
from logstorm.traffic import TrafficGenerator  # noqa: E402

WARM_UP_LINES = 50_000  # replayed first, not timed: the JVM compiles, the tasks settle


def write_logs(folder: Path, sizes: list[int]) -> list[Path]:
    """Files of generated lines (seed 0), one per size, each going on in log time where
    the one before it stopped: replayed in turn, none of their lines is late."""
    source = TrafficGenerator(seed=0).lines(sum(sizes), rate=LOG_RATE)
    paths = []
    for n, size in enumerate(sizes):
        paths.append(folder / f"access-{n}.log")
        with open(paths[-1], "w") as fh:
            left = size
            while block := [
                line for _, line in zip(range(min(left, 50_000)), source, strict=False)
            ]:
                fh.write("\n".join(block) + "\n")
                left -= len(block)
    return paths


def replay(
    logs: list[Path], workdir: Path, serializer: str, extra: dict[str, str],
    topic: ShippedTopic | None = None,
) -> dict[str, Any]:  # fmt: skip
    """One fresh run replaying logs: by default all moved into its spool folder at once
    and read in turn, the last one timed from the end of the one before it to its own
    end (the pipeline is busy all along, and the lag of the last acks is in both ends);
    with topic, the topic logs were shipped into (:func:`ship_in_parts`) read to its
    end, the last log's part timed alike, from the group's commits past the parts
    before it to its commits at the end. extra: more -o options. Its figures, with the
    cores each component used over the time."""
    inbox, out = workdir / "in", workdir / "out"
    inbox.mkdir()
    options = {
        "logstorm.input.path": inbox,
        "logstorm.input.mode": "spool",
        "logstorm.input.poll.secs": "0.1",  # a new file is found within 0.1 s
        "logstorm.allowed_lateness_secs": str(LATENESS),  # as the reference and the peers
        "logstorm.time": "event",
        "logstorm.output.path": out / "windows.jsonl",
        "logstorm.errors.path": out / "errors.jsonl",
        "logstorm.state.path": workdir / "state",
        "logstorm.console": "false",
        **extra,
    }
    if topic is not None:
        options.update({"logstorm.input.kind": "kafka", "logstorm.input.kafka.topic": topic.name,
                        "logstorm.input.kafka.servers": BROKER})  # fmt: skip
    with SparseRun("logs", workdir / "run.log", options, serializer=serializer) as run:
        wait_for(lambda: f"speaks {serializer}" in run.output(), 300, "the spout", run.log)
        procs = session_procs(run.proc.pid)
        marks = [(time.monotonic(), component_cpu(procs))]  # at the start, then as each ends
        if topic is not None:
            group = options.get(opt.KAFKA_GROUP, "logstorm")
            ends = [functools.partial(topic_read, topic, group, n) for n in range(len(logs))]
        else:
            for log in logs:  # in name order: the spout reads them so
                log.rename(inbox / log.name)
            ends = [(inbox / f"{log.name}.COMPLETED").exists for log in logs]
        rss = 0.0
        for done in ends:
            while not done():
                rss = max(rss, rss_mib(procs))
                if time.monotonic() - marks[0][0] > 1800 or run.proc.poll() is not None:
                    raise RuntimeError(f"the replay did not complete; see {run.log}")
                time.sleep(0.02)
            marks.append((time.monotonic(), component_cpu(session_procs(run.proc.pid))))
        for log in logs if topic is None else []:
            (inbox / f"{log.name}.COMPLETED").rename(log)
        verdict = checked(logs, out / "windows.jsonl")
    (started, cpu_a), (ended, cpu_b) = marks[-2:]
    secs, cpu = ended - started, cpu_b - cpu_a
    lines = line_count(logs[-1])
    row = figures(f"logstorm, {serializer}", lines, secs, lines, secs, cpu.total(), rss)
    cores = {name: used / secs for name, used in cpu.items()}
    return {**row, "identical": verdict, "late": late(out), "cores": cores}


def line_count(path: Path) -> int:
    """Lines in a file."""
    with open(path, "rb") as fh:
        return sum(block.count(b"\n") for block in iter(lambda: fh.read(1 << 20), b""))


@dataclass(frozen=True)
class ShippedTopic:
    """A topic holding logs one after the other: its name, and where each log's part
    ends (each partition's end offset once it was shipped)."""

    name: str
    part_ends: list[list[int]]


def ship_in_parts(logs: list[Path], name: str, partitions: int) -> ShippedTopic:
    """logs' lines into a new topic, in turn."""
    sent, ends = 0, []
    for log in logs:
        sent = ship(log, name, partitions, sent)
        ends.append(_end_offsets(name))
    return ShippedTopic(name, ends)


def _end_offsets(topic: str) -> list[int]:
    """Each partition's end offset, by partition number."""
    from confluent_kafka import Consumer, TopicPartition

    consumer = Consumer({"bootstrap.servers": BROKER, "group.id": "replay-ends"})
    try:
        partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
        return [consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1]
                for p in sorted(partitions)]  # fmt: skip
    finally:
        consumer.close()


def topic_read(topic: ShippedTopic, group: str, part: int) -> bool:
    """Whether the spout tasks committed every partition of topic up to the end of its
    part-th log (they commit acknowledged offsets about once a second)."""
    from confluent_kafka import Consumer, TopicPartition

    ends = topic.part_ends[part]
    consumer = Consumer({"bootstrap.servers": BROKER, "group.id": group})
    try:
        wanted = [TopicPartition(topic.name, p) for p in range(len(ends))]
        committed = consumer.committed(wanted, timeout=10)
        return all(max(c.offset, 0) >= end for c, end in zip(committed, ends, strict=True))
    finally:
        consumer.close()


def component_cpu(procs: list[Path]) -> Counter[str]:
    """CPU seconds used so far per component class (Storm's JVM and sparse as "Storm")."""
    used: Counter[str] = Counter()
    for proc in procs:
        try:
            used[component_of(proc) or "Storm"] += cpu_secs([proc])
        except OSError:  # gone
            continue
    return used


def checked(logs: list[Path], written: Path, timeout: float = 120) -> str:
    """Whether the windows written are the reference's for logs (one after the other):
    every window the final watermark closes, once the sink has them (waited for up to
    timeout seconds, not timed: they follow the last ack by a watermark's round trip)."""
    lines = [line for log in logs for line in log.read_text().splitlines()]
    want = list(windows(blocks(lines)))
    newest = max(w["window_end"] for w in want if w["metric"] == "url") - 1  # 1 s slides
    deadline = time.monotonic() + timeout
    while True:
        rows = written.read_text().splitlines() if written.exists() else []
        verdict = compare(map(json.loads, rows), want, newest - LATENESS)
        if verdict["identical"]:
            return "yes"
        if verdict["different"] or verdict["extra"] or time.monotonic() > deadline:
            return (f"**no**: {verdict['missing']} missing, {verdict['extra']} extra, "
                    f"{verdict['different']} different of {verdict['expected']}")  # fmt: skip
        time.sleep(1)


def late(out: Path) -> int:
    """Lines the run routed aside as late (errors with reason "late", per metric)."""
    errors = out / "errors.jsonl"
    if not errors.exists():
        return 0
    return sum(json.loads(e).get("reason") == "late" for e in errors.read_text().splitlines())


def figures(
    engine: str, lines: int, secs: float, counted: int, counted_secs: float, cpu: float, rss: float
) -> dict[str, Any]:
    """A table row's figures: counted lines took counted_secs and cpu CPU seconds."""
    return {
        "engine": engine,
        "lines": lines,
        "secs": secs,
        "rate": counted / counted_secs,
        "cpu_per_million": cpu / counted * 1e6,
        "cpu_cores": cpu / counted_secs,
        "rss_mib": rss,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=2_000_000)
    ap.add_argument("--serializers", nargs="+", choices=["json", "msgpack"],
                    default=["json", "msgpack"])  # fmt: skip
    ap.add_argument("--flink", nargs="*", choices=["udf", "sql"], default=[],
                    help="PyFlink variants to run on the same file")  # fmt: skip
    ap.add_argument("--peers", nargs="*", choices=list(PYTHON_PEERS), default=[],
                    help="Python stream processors to run on the file's head")  # fmt: skip
    ap.add_argument(
        "--peer-lines",
        type=int,
        help="lines of the head the Python peers time (default: each its own)",
    )
    ap.add_argument("-o", dest="options", action="append", default=[],
                    help="extra key=value for logstorm's runs")  # fmt: skip
    ap.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md", help="markdown to update")
    args = ap.parse_args()
    extra = dict(option.split("=", 1) for option in args.options)
    reference = reference_figures()
    print(f"reference: {reference}", flush=True)
    if "quix" in args.peers and started_here(KAFKA):
        atexit.register(subprocess.run, [*KAFKA, "down"])  # leave the machine as found
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        logs = write_logs(Path(tmp), [WARM_UP_LINES, args.lines])
        log = logs[-1]
        for serializer in args.serializers:
            workdir = Path(tmp) / serializer
            workdir.mkdir()
            runs.append(replay(logs, workdir, serializer, extra))
            print(runs[-1], flush=True)
        for variant in args.flink:
            runs.append(flink(log, args.lines, variant, Path(tmp)))
            print(runs[-1], flush=True)
        for peer in args.peers:
            lines = min(args.lines, args.peer_lines or PYTHON_PEERS[peer][1])
            runs.append(python_peer(peer, log, lines, Path(tmp)))
            print(runs[-1], flush=True)
    ours = runs[len(args.serializers) - 1]  # the last serializer named: msgpack by default
    rows = [
        f"| {r['engine']} | {r['lines']:,} | {r['secs']:.1f} | {r['rate']:,.0f} "
        f"| {ours['rate'] / r['rate']:.2f}x | {r['cpu_per_million']:.1f} "
        f"| {r['cpu_per_million'] / reference['cpu_per_million']:.1f}x "
        f"| {r['cpu_cores']:.2f} | {r['rss_mib']:,.0f} | {r['identical']} "
        f"| {'not reported' if r['late'] is None else r['late']} |"
        for r in runs
    ]
    table = "\n".join([
        f"## Replay by event time: logstorm beside its peers — {date.today()}",
        "",
        f"{machine()}. `sparse run -n logs` in spool mode and event time, `local` "
        f"parallelism, one run each. Command: `.venv/bin/python bench/replay.py --lines "
        f"{args.lines} --serializers {' '.join(args.serializers)}"
        f"{' --flink ' + ' '.join(args.flink) if args.flink else ''}"
        f"{' --peers ' + ' '.join(args.peers) if args.peers else ''}"
        f"{f' --peer-lines {args.peer_lines}' if args.peer_lines else ''}"
        f"{''.join(f' -o {o}' for o in args.options)}`.",
        "",
        f"| engine | lines | time (s) | lines/s | {ours['engine']} / this "
        "| CPU-s per million lines | CPU per line / reference's | CPU (cores) "
        "| peak RSS (MiB) | windows identical | lines dropped as late |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
        *rows,
        "",
        f"The reference in the same run (`bench/reference.py`, the job in one plain Python "
        f"process): {reference['rate']:,.0f} lines/s, {reference['cpu_per_million']:.2f} "
        "CPU-s per million lines. logstorm reads a 50,000-line warm-up file, then the "
        "measured one (moved into the spool folder together), and is timed from the first's "
        "rename to `.COMPLETED` to the second's (every line acked): Storm's start-up and "
        "warm-up are left out; its windows are compared with the reference's on both files. "
        "The peers (`bench/peers.py`): lines/s and CPU are a run over the lines "
        "given minus a run over their first tenth (start-up cancels out), time and RSS the "
        "full run's; PyFlink (parallelism 2, the UDF variant parsing with logstorm's parser "
        "in Python, the SQL one with `REGEXP_EXTRACT`) over the whole file into blackhole "
        "sinks, not checked; the Python peers over the file's head, their windows checked "
        "first against the brute-force reference on 15,000 lines at 20 lines per second of "
        "log time (windows full and closed).",
    ])  # fmt: skip
    print(table)
    write_section(args.out, "replay", table)


if __name__ == "__main__":
    main()
