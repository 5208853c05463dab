"""Where the logs topology's Python processes spend their time, under load.

    .venv/bin/python bench/profile_logs.py [--rate 40000] [--secs 20]

Runs `sparse run -n logs` (local parallelism) tailing a temp folder fed `--rate`
lines/s of generated traffic, waits `--settle` s (30) for it to settle, then samples every Python
component for `--secs` seconds with py-spy (`record --format raw --nonblocking`) and
prints, per component, its CPU use and the functions where its samples land (self
time, by the innermost frame of our code, pystorm or the standard library), the
hot path to optimise. Writes the table to BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests"), str(ROOT / "bench")]

from live_latency import cpu_secs, machine, session_procs  # noqa: E402
from parse_rate import write_section  # noqa: E402
from reference import generated  # noqa: E402
from sparse_run import SparseRun, wait_for  # noqa: E402

PY_SPY = ROOT / ".venv" / "bin" / "py-spy"
COMPONENT = re.compile(r"\b(?:bolts|spouts)\.\w+\.(\w+)")


def component_of(proc: Path) -> str | None:
    """The streamparse component class a process runs (None: not a component)."""
    cmdline = (proc / "cmdline").read_bytes().decode(errors="replace")
    found = COMPONENT.search(cmdline)
    return found[1] if found else None


def self_time(raw: str, top: int) -> list[tuple[str, float]]:
    """(function (file:line), share of samples) where samples land, most first."""
    counts: Counter[str] = Counter()
    total = 0
    for line in raw.splitlines():
        stack, _, n = line.rpartition(" ")
        if not stack or not n.isdigit():
            continue
        leaf = stack.split(";")[-1]
        name, _, where = leaf.partition(" (")
        short = where.rstrip(")").rsplit("/", 1)[-1]
        counts[f"{name} ({short})"] += int(n)
        total += int(n)
    return [(f, c / total) for f, c in counts.most_common(top)] if total else []


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rate", type=int, default=40_000)
    ap.add_argument("--secs", type=int, default=20)
    ap.add_argument("--settle", type=int, default=30, help="seconds of load before sampling")
    ap.add_argument("--top", type=int, default=5)
    ap.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md")
    args = ap.parse_args()
    pool = [(line + "\n").encode() for line in generated(100_000)]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "in").mkdir()
        options = {
            "logstorm.input.path": work / "in",
            "logstorm.output.path": work / "windows.jsonl",
            "logstorm.errors.path": work / "errors.jsonl",
            "logstorm.console": "false",
        }
        sink = work / "windows.jsonl"
        with (
            SparseRun("logs", work / "run.log", options) as run,
            open(work / "in" / "a.log", "ab") as log,
        ):
            wait_for(lambda: sink.exists() and sink.stat().st_size, 300, "a first window", run.log)
            start, written, profiles = time.monotonic(), 0, {}
            while (elapsed := time.monotonic() - start) < args.settle + args.secs + 5:
                due = int(elapsed * args.rate) - written
                log.write(b"".join(pool[(written + i) % len(pool)] for i in range(max(0, due))))
                log.flush()
                written += max(0, due)
                if elapsed >= args.settle and not profiles:
                    procs = {p: component_of(p) for p in session_procs(run.proc.pid)}
                    for proc, name in procs.items():
                        if name:
                            out = work / f"{name}-{proc.name}.txt"
                            cmd = [str(PY_SPY), "record", "--pid", proc.name, "--duration",
                                   str(args.secs), "--format", "raw", "--nonblocking", "-o",
                                   str(out)]  # fmt: skip
                            profiles[proc] = (name, out, subprocess.Popen(
                                cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
                                cpu_secs([proc]))  # fmt: skip
                time.sleep(0.02)
            for proc, (name, out, spy, cpu0) in sorted(profiles.items(), key=lambda kv: kv[1][0]):
                spy.wait(timeout=60)
                cores = (cpu_secs([proc]) - cpu0) / args.secs
                hot = self_time(out.read_text() if out.exists() else "", args.top)
                where = "; ".join(f"{f} {share:.0%}" for f, share in hot)
                rows.append(f"| {name} (pid {proc.name}) "
                            f"| {cores:.2f} | {where} |")  # fmt: skip
            run.interrupt()
            wait_for(lambda: not run.group_alive(), 60, "sparse run to stop", run.log)
    table = "\n".join([
        f"## Where the time goes: py-spy on the logs topology — {date.today()}",
        "",
        f"{machine()}. `sparse run -n logs` (local parallelism) fed {args.rate:,} lines/s; "
        f"after {args.settle} s, each Python component sampled for {args.secs} s. Command: "
        f"`.venv/bin/python bench/profile_logs.py --rate {args.rate} --secs {args.secs}`.",
        "",
        "| component | CPU (cores) | where its samples land (innermost frame, share) |",
        "|---|---|---|",
        *rows,
    ])  # fmt: skip
    print(table)
    write_section(args.out, "profile", table)


if __name__ == "__main__":
    main()
