"""How the replay scales with tasks: parse tasks 1, 2, 4 on files; Kafka spout tasks 1-3.

    .venv/bin/python bench/scaling.py [--lines 1000000] [--parse 1 2 4] [--kafka-tasks 1 2 3]

Each row is one replay by event time (``bench/replay.py``'s ``replay``: a fresh
``sparse run``, msgpack; files: a warm-up file, then the lines, moved into the spool
folder together and read in turn, timed from the end of the first to the end of the
second; Kafka: the same two shipped in turn into a new three-partition topic of the
project's broker and read in spool mode up to its end offsets, timed from the group's
commits past the warm-up lines to its commits at the end, which the spout tasks make
about once a second), with the cores each component used. CPU
seconds per million lines are also the cores a cluster needs per million lines a
second. On this 2-core machine more tasks than cores cannot add speed: the table
shows where the time goes and what a task costs, a cluster's hosts would add the rest.
Writes its table to BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import atexit
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "bench")]

from live_latency import KAFKA, machine, started_here  # noqa: E402
from parse_rate import write_section  # noqa: E402
from replay import WARM_UP_LINES, replay, ship_in_parts, write_logs  # noqa: E402

from logstorm import logs_options as opt  # noqa: E402

COMPONENTS = [  # the table's columns: (heading, component class)
    ("spout", "LogFileSpout"),
    ("parse", "AccessLogParseBolt"),
    ("windows", "WindowBolt"),  # every metric's window tasks
    ("rankings", "RankingsBolt"),
    ("sinks", "WindowSinkBolt"),
    ("Storm JVM", "Storm"),
]


def row(source: str, spout_tasks: int, parse_tasks: int, run: dict[str, Any]) -> str:
    """A table row from replay's figures."""
    cores = run["cores"]
    sinks = cores.get("WindowSinkBolt", 0) + cores.get("ErrorSinkBolt", 0)
    cells = [f"{sinks if name == 'WindowSinkBolt' else cores.get(name, 0):.2f}"
             for _, name in COMPONENTS]  # fmt: skip
    return (
        f"| {source} | {spout_tasks} | {parse_tasks} | {run['rate']:,.0f} "
        f"| {run['cpu_per_million']:.1f} | {run['cpu_cores']:.2f} | {' | '.join(cells)} "
        f"| {run['identical']} |"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--parse", type=int, nargs="*", default=[1, 2, 4], help="parse tasks (files)")
    ap.add_argument("--kafka-tasks", type=int, nargs="*", default=[1, 2, 3],
                    help="spout tasks over a three-partition topic (parse tasks: 2)")  # fmt: skip
    ap.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md", help="markdown to update")
    args = ap.parse_args()
    if args.kafka_tasks and started_here(KAFKA):
        atexit.register(subprocess.run, [*KAFKA, "down"])  # leave the machine as found
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        logs = write_logs(Path(tmp), [WARM_UP_LINES, args.lines])
        for n, tasks in enumerate(args.parse):
            work = Path(tmp) / f"files-{n}"
            work.mkdir()
            run = replay(logs, work, "msgpack", {opt.PARSE_TASKS: str(tasks)})
            print(run, flush=True)
            rows.append(row("files", 1, tasks, run))
        for n, tasks in enumerate(args.kafka_tasks):
            # the warm-up lines, then the timed ones, as the files rows read them
            topic = ship_in_parts(logs, f"scaling-{time.monotonic_ns()}", partitions=3)
            work = Path(tmp) / f"kafka-{n}"
            work.mkdir()
            run = replay(logs, work, "msgpack", {opt.INPUT_TASKS: str(tasks)}, topic=topic)
            print(run, flush=True)
            rows.append(row("kafka", tasks, 2, run))
    table = "\n".join([
        f"## Scaling: tasks per component, replay by event time — {date.today()}",
        "",
        f"{machine()}. {args.lines:,} generated lines per row, one `sparse run` each, "
        "msgpack, `local` parallelism but for the tasks named. Command: `.venv/bin/python "
        f"bench/scaling.py --lines {args.lines} --parse {' '.join(map(str, args.parse))} "
        f"--kafka-tasks {' '.join(map(str, args.kafka_tasks))}`.",
        "",
        "| input | spout tasks | parse tasks | lines/s | CPU-s per million lines "
        "| CPU (cores) | " + " | ".join(f"{name} (cores)" for name, _ in COMPONENTS)
        + " | windows identical |",
        "|---|---|---|---|---|---|" + "---|" * len(COMPONENTS) + "---|",
        *rows,
        "",
        "CPU-s per million lines is also the cores needed per million lines a second. A "
        "component's cores: the CPU its processes used over the replay divided by its "
        "time (sinks: windows and errors together; Storm JVM: the LocalCluster and "
        "`sparse` itself). Windows identical: the run's windows against the reference's "
        "(`bench/reference.py`).",
    ])  # fmt: skip
    print(table)
    write_section(args.out, "scaling", table)


if __name__ == "__main__":
    main()
