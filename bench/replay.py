"""Replay rate of the logs topology by event time, per multilang serializer.

    .venv/bin/python bench/replay.py [--lines 2000000] [--serializers json msgpack]

What every engine can be asked on the same terms: read a multi-million-line log to
its end by event time. For each serializer, a fresh ``sparse run -n logs`` (spool
mode, event time, ``local`` parallelism) waits on an empty inbox; once its spout is
up, a file of generated lines (seed 0, 1,000 lines per second of log time) is moved
in whole. The rate is lines / (moved in -> the spout renames it ``.COMPLETED``, every
line acked), so Storm's start-up is left out. CPU: user + system seconds of every
process of the run over that span, per million lines; RSS: their sum, the peak of
0.5 s samples. The one-process ceiling (``bench/reference.py``) runs in the same
invocation. Writes its table to BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests"), str(ROOT / "bench")]

from live_latency import cpu_secs, machine, rss_mib, session_procs  # noqa: E402
from parse_rate import write_section  # noqa: E402
from reference import generated, reference_rate  # noqa: E402
from sparse_run import SparseRun, wait_for  # noqa: E402

from logstorm.traffic import TrafficGenerator  # noqa: E402

LOG_RATE = 1000.0  # lines per second of log time


def write_log(path: Path, lines: int) -> None:
    """lines generated lines (seed 0), written in blocks."""
    source = TrafficGenerator(seed=0).lines(lines, rate=LOG_RATE)
    with open(path, "w") as fh:
        while block := [line for _, line in zip(range(50_000), source, strict=False)]:
            fh.write("\n".join(block) + "\n")


def replay(log: Path, workdir: Path, serializer: str) -> dict[str, Any]:
    """One fresh run replaying log; its figures."""
    inbox, out = workdir / "in", workdir / "out"
    inbox.mkdir()
    options = {
        "logstorm.input.path": inbox,
        "logstorm.input.mode": "spool",
        "logstorm.time": "event",
        "logstorm.output.path": out / "windows.jsonl",
        "logstorm.errors.path": out / "errors.jsonl",
        "logstorm.state.path": workdir / "state",
        "logstorm.console": "false",
    }
    lines = log.read_bytes().count(b"\n")
    with SparseRun("logs", workdir / "run.log", options, serializer=serializer) as run:
        wait_for(lambda: f"speaks {serializer}" in run.output(), 300, "the spout", run.log)
        procs = session_procs(run.proc.pid)
        cpu_start, started = cpu_secs(procs), time.monotonic()
        log.rename(inbox / "access.log")
        done, rss = inbox / "access.log.COMPLETED", 0.0
        while not done.exists():
            rss = max(rss, rss_mib(procs))
            if time.monotonic() - started > 1800 or run.proc.poll() is not None:
                raise RuntimeError(f"the replay did not complete; see {run.log}")
            time.sleep(0.5)
        secs = time.monotonic() - started
        cpu = cpu_secs(session_procs(run.proc.pid)) - cpu_start
        done.rename(log)
    return {
        "serializer": serializer,
        "lines": lines,
        "secs": secs,
        "rate": lines / secs,
        "cpu_per_million": cpu / lines * 1e6,
        "cpu_cores": cpu / secs,
        "rss_mib": rss,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=2_000_000)
    ap.add_argument("--serializers", nargs="+", choices=["json", "msgpack"],
                    default=["json", "msgpack"])  # fmt: skip
    ap.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md", help="markdown to update")
    args = ap.parse_args()
    ceiling = reference_rate(generated(100_000))
    print(f"one-process ceiling: {ceiling:,.0f} lines/s", flush=True)
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "access.log"
        write_log(log, args.lines)
        for serializer in args.serializers:
            workdir = Path(tmp) / serializer
            workdir.mkdir()
            runs.append(replay(log, workdir, serializer))
            print(runs[-1], flush=True)
    first = runs[0]
    rows = [
        f"| {r['serializer']} | {r['lines']:,} | {r['secs']:.1f} | {r['rate']:,.0f} "
        f"| {r['rate'] / first['rate']:.2f}x | {r['cpu_per_million']:.1f} "
        f"| {r['cpu_cores']:.2f} | {r['rss_mib']:,.0f} | {r['rate'] / ceiling:.2f} |"
        for r in runs
    ]
    table = "\n".join([
        f"## Replay by event time, per multilang serializer — {date.today()}",
        "",
        f"{machine()}. `sparse run -n logs` in spool mode and event time, `local` "
        f"parallelism, one run each. Command: `.venv/bin/python bench/replay.py --lines "
        f"{args.lines} --serializers {' '.join(args.serializers)}`.",
        "",
        f"| serializer | lines | replay (s) | lines/s | / {first['serializer']} "
        "| CPU-s per million lines | CPU (cores) | peak RSS (MiB) | / one-process ceiling |",
        "|---|---|---|---|---|---|---|---|---|",
        *rows,
        "",
        f"Peer in the same run: the one-process ceiling ran at {ceiling:,.0f} lines/s. The "
        "replay is timed from the file moved into the spool folder to its rename to "
        "`.COMPLETED` (every line acked); Storm's start-up (10-20 s) is left out.",
    ])  # fmt: skip
    print(table)
    write_section(args.out, "replay", table)


if __name__ == "__main__":
    main()
