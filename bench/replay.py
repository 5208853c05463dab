"""Replay rate of the logs topology by event time, per multilang serializer, beside PyFlink.

    .venv/bin/python bench/replay.py [--lines 2000000] [--serializers json msgpack]
                                     [--flink udf sql]

What every engine can be asked on the same terms: read a multi-million-line log to
its end by event time. For each serializer, a fresh ``sparse run -n logs`` (spool
mode, event time, ``local`` parallelism) waits on an empty inbox; once its spout is
up, a file of generated lines (seed 0, 1,000 lines per second of log time) is moved
in whole. The rate is lines / (moved in -> the spout renames it ``.COMPLETED``, every
line acked), so Storm's start-up is left out. CPU: user + system seconds of every
process of the run over that span, per million lines; RSS: their sum, the peak of
0.5 s samples. The one-process ceiling (``bench/reference.py``) runs in the same
invocation.

With ``--flink``, the same file is replayed by the PyFlink job of
``bench/flink_peer.py`` (its venv built by ``tools/bench-venv flink`` on first use),
once per variant on the first tenth of the file and once on all of it: its rate is
the difference in lines over the difference in wall time, so Flink's start-up,
planning and warm-up cancel out; CPU likewise (the job's whole process tree). Writes
its table to BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
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


def replay(log: Path, workdir: Path, serializer: str, extra: dict[str, str]) -> dict[str, Any]:
    """One fresh run replaying log (extra: more -o options); its figures."""
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
        **extra,
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
    return figures(f"logstorm, {serializer}", lines, secs, lines, secs, cpu, rss)


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


def flink_run(python: str, variant: str, folder: Path) -> tuple[float, float, float]:
    """One PyFlink job over folder: (wall seconds, CPU seconds, peak RSS MiB)."""
    started, rss = time.monotonic(), 0
    job = subprocess.Popen([python, str(ROOT / "bench" / "flink_peer.py"), "--variant", variant,
                            "--input", str(folder)], stdout=subprocess.DEVNULL,
                           start_new_session=True)  # fmt: skip
    cpu = 0.0  # of the session's processes (the client, Flink's JVM, Python workers)
    while job.poll() is None:
        procs = session_procs(job.pid)
        cpu, rss = max(cpu, cpu_secs(procs)), max(rss, rss_mib(procs))
        time.sleep(0.2)
    if job.returncode != 0:
        raise RuntimeError(f"the PyFlink {variant} job exited with {job.returncode}")
    return time.monotonic() - started, cpu, rss


def flink(log: Path, lines: int, variant: str, workdir: Path) -> dict[str, Any]:
    """The PyFlink variant's marginal rate over the full file against its first tenth."""
    python = subprocess.run([str(ROOT / "tools" / "bench-venv"), "flink"], check=True,
                            capture_output=True, text=True).stdout.strip()  # fmt: skip
    small, full = workdir / f"{variant}-small", workdir / f"{variant}-full"
    small.mkdir()
    full.mkdir()
    head = lines // 10
    with open(log) as src, open(small / "access.log", "w") as dst:
        dst.writelines(line for _, line in zip(range(head), src, strict=False))
    log.rename(full / "access.log")
    try:
        secs_small, cpu_small, _ = flink_run(python, variant, small)
        secs_full, cpu_full, rss = flink_run(python, variant, full)
    finally:
        (full / "access.log").rename(log)
        shutil.rmtree(small)
    return figures(f"PyFlink 2.3, {variant}", lines, secs_full, lines - head,
                   secs_full - secs_small, cpu_full - cpu_small, rss)  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=2_000_000)
    ap.add_argument("--serializers", nargs="+", choices=["json", "msgpack"],
                    default=["json", "msgpack"])  # fmt: skip
    ap.add_argument("--flink", nargs="*", choices=["udf", "sql"], default=[],
                    help="PyFlink variants to run on the same file")  # fmt: skip
    ap.add_argument("-o", dest="options", action="append", default=[],
                    help="extra key=value for logstorm's runs")  # fmt: skip
    ap.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md", help="markdown to update")
    args = ap.parse_args()
    extra = dict(option.split("=", 1) for option in args.options)
    ceiling = reference_rate(generated(100_000))
    print(f"one-process ceiling: {ceiling:,.0f} lines/s", flush=True)
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "access.log"
        write_log(log, args.lines)
        for serializer in args.serializers:
            workdir = Path(tmp) / serializer
            workdir.mkdir()
            runs.append(replay(log, workdir, serializer, extra))
            print(runs[-1], flush=True)
        for variant in args.flink:
            runs.append(flink(log, args.lines, variant, Path(tmp)))
            print(runs[-1], flush=True)
    ours = runs[len(args.serializers) - 1]  # the last serializer named: msgpack by default
    rows = [
        f"| {r['engine']} | {r['lines']:,} | {r['secs']:.1f} | {r['rate']:,.0f} "
        f"| {ours['rate'] / r['rate']:.2f}x | {r['cpu_per_million']:.1f} "
        f"| {r['cpu_cores']:.2f} | {r['rss_mib']:,.0f} | {r['rate'] / ceiling:.2f} |"
        for r in runs
    ]
    table = "\n".join([
        f"## Replay by event time: logstorm per serializer, and PyFlink — {date.today()}",
        "",
        f"{machine()}. `sparse run -n logs` in spool mode and event time, `local` "
        f"parallelism, one run each. Command: `.venv/bin/python bench/replay.py --lines "
        f"{args.lines} --serializers {' '.join(args.serializers)}"
        f"{' --flink ' + ' '.join(args.flink) if args.flink else ''}"
        f"{''.join(f' -o {o}' for o in args.options)}`.",
        "",
        f"| engine | lines | time (s) | lines/s | {ours['engine']} / this "
        "| CPU-s per million lines | CPU (cores) | peak RSS (MiB) | / one-process ceiling |",
        "|---|---|---|---|---|---|---|---|---|",
        *rows,
        "",
        f"Peer in the same run: the one-process ceiling ran at {ceiling:,.0f} lines/s. The "
        "replay is timed from the file moved into the spool folder to its rename to "
        "`.COMPLETED` (every line acked); Storm's start-up (10-20 s) is left out. PyFlink "
        "(`bench/flink_peer.py`, parallelism 2, the UDF variant parsing with logstorm's "
        "parser in Python, the SQL one with `REGEXP_EXTRACT`): lines/s, CPU and time are "
        "the full file's run minus a run on its first tenth (start-up cancels out); time "
        "is the full run's.",
    ])  # fmt: skip
    print(table)
    write_section(args.out, "replay", table)


if __name__ == "__main__":
    main()
