"""Where the logs topology's Python processes spend their time, under load.

    .venv/bin/python bench/profile_logs.py [--rate 40000] [--secs 20]

Runs `sparse run -n logs` (local parallelism) tailing a temp folder fed `--rate`
lines/s of generated traffic, waits `--settle` s (30) for it to settle, then samples every Python
component for `--secs` seconds with py-spy (`record --format raw --nonblocking`) and
prints, per component, its CPU use and the functions where its samples land (self
time, by the innermost frame of our code, pystorm or the standard library), the
hot path to optimise.

The Storm JVM's CPU is taken over the same seconds, per thread as the JVM reports it
(`jcmd PID Thread.print` at the start and the end; threads grouped by name with their
numbers dropped: the executors of one component, the ShellBolt readers and writers,
the acker, the transfer threads). Then, for `--secs` more, a Flight Recorder recording
(`JFR.start settings=profile`) shows the methods each group runs: only then, since the
recorder costs CPU of its own (the JIT compiler threads went from 0.05 to 0.5 cores
while it ran). Writes both tables to BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "bench")]

from live_latency import cpu_secs, machine, session_procs  # noqa: E402
from parse_rate import write_section  # noqa: E402
from reference import generated  # noqa: E402
from sparse_run import SparseRun, wait_for  # noqa: E402

PY_SPY = ROOT / ".venv" / "bin" / "py-spy"
COMPONENT = re.compile(r"\b(?:bolts|spouts)\.\w+\.(\w+)")
THREAD = re.compile(r'^"(?P<name>[^"]+)" .*?cpu=(?P<cpu>[\d.]+)ms .*?nid=(?P<nid>\w+)', re.M)


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


def thread_group(name: str) -> str:
    """A JVM thread's name with its numbers dropped: the threads of one kind together.

    >>> thread_group("Thread-27-parse-executor[5, 5]")
    'Thread-#-parse-executor[#, #]'
    """
    return re.sub(r"\d+", "#", name)


def thread_cpu(pid: int) -> dict[str, tuple[str, float]]:
    """One `jcmd Thread.print`: nid -> (thread name, CPU ms it has used so far)."""
    out = subprocess.run(["jcmd", str(pid), "Thread.print"], capture_output=True, text=True,
                         timeout=60).stdout  # fmt: skip
    return {m["nid"]: (m["name"], float(m["cpu"])) for m in THREAD.finditer(out)}


def jfr_samples(recording: Path) -> Counter[tuple[str, str]]:
    """(thread group, top frame) -> execution samples, from a Flight Recorder file."""
    cmd = ["jfr", "print", "--json", "--events", "jdk.ExecutionSample", str(recording)]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300).stdout
    samples: Counter[tuple[str, str]] = Counter()
    for event in json.loads(out)["recording"]["events"]:
        values = event["values"]
        frames = (values.get("stackTrace") or {}).get("frames") or [{}]
        method = frames[0].get("method") or {}
        where = f"{(method.get('type') or {}).get('name', '?')}.{method.get('name', '?')}"
        thread = (values.get("sampledThread") or {}).get("javaName") or "?"
        samples[thread_group(thread), where.rsplit("/", 1)[-1]] += 1
    return samples


def jvm_rows(before: dict[str, tuple[str, float]], after: dict[str, tuple[str, float]],
             samples: Counter[tuple[str, str]], secs: float, top: int) -> list[str]:  # fmt: skip
    """Table rows: per thread group, its threads, the cores they used between the two
    dumps, and the methods its execution samples fall in (share of the group's)."""
    cpu: Counter[str] = Counter()
    count: Counter[str] = Counter()
    for nid, (name, ms) in after.items():
        cpu[thread_group(name)] += ms - before.get(nid, (name, 0.0))[1]
        count[thread_group(name)] += 1
    rows = []
    for group, ms in cpu.most_common(top):
        mine = Counter({where: n for (g, where), n in samples.items() if g == group})
        total = sum(mine.values())
        hot = "; ".join(f"`{where}` {n / total:.0%}" for where, n in mine.most_common(3))
        rows.append(f"| {group} | {count[group]} | {ms / 1000 / secs:.2f} | {hot or '-'} |")
    return rows


def storm_jvm(procs: list[Path]) -> int | None:
    """The LocalCluster's JVM among a run's processes."""
    for proc in procs:
        with contextlib.suppress(OSError):
            cmdline = (proc / "cmdline").read_bytes()
            if cmdline.startswith(b"java") or b"/java\0" in cmdline:
                return int(proc.name)
    return None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rate", type=int, default=40_000)
    ap.add_argument("--secs", type=int, default=20)
    ap.add_argument("--settle", type=int, default=30, help="seconds of load before sampling")
    ap.add_argument("--top", type=int, default=5)
    ap.add_argument("--jvm-top", type=int, default=12, help="JVM thread groups shown")
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
            start, written, profiles, threads1 = time.monotonic(), 0, {}, {}
            while (elapsed := time.monotonic() - start) < args.settle + 2 * args.secs + 5:
                due = int(elapsed * args.rate) - written
                log.write(b"".join(pool[(written + i) % len(pool)] for i in range(max(0, due))))
                log.flush()
                written += max(0, due)
                if elapsed >= args.settle and not profiles:
                    procs = {p: component_of(p) for p in session_procs(run.proc.pid)}
                    jvm = storm_jvm(list(procs))
                    if jvm is None:
                        raise RuntimeError(f"no Storm JVM among the run's processes; see {run.log}")
                    jvm_cpu0, threads0 = cpu_secs([Path(f"/proc/{jvm}")]), thread_cpu(jvm)
                    for proc, name in procs.items():
                        if name:
                            out = work / f"{name}-{proc.name}.txt"
                            cmd = [str(PY_SPY), "record", "--pid", proc.name, "--duration",
                                   str(args.secs), "--format", "raw", "--nonblocking", "-o",
                                   str(out)]  # fmt: skip
                            profiles[proc] = (name, out, subprocess.Popen(
                                cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
                                cpu_secs([proc]))  # fmt: skip
                if profiles and elapsed >= args.settle + args.secs and not threads1:
                    threads1 = thread_cpu(jvm)
                    jvm_cores = (cpu_secs([Path(f"/proc/{jvm}")]) - jvm_cpu0) / args.secs
                    subprocess.run(["jcmd", str(jvm), "JFR.start", "name=profile",
                                    "settings=profile", f"duration={args.secs}s",
                                    f"filename={work / 'jvm.jfr'}"],
                                   check=True, capture_output=True, timeout=60)  # fmt: skip
                time.sleep(0.02)
            recording = work / "jvm.jfr"  # written when its duration is over
            wait_for(lambda: recording.exists(), 60, "the JVM's flight recording", run.log)
            samples = jfr_samples(recording)
            for proc, (name, out, spy, cpu0) in sorted(profiles.items(), key=lambda kv: kv[1][0]):
                spy.wait(timeout=60)
                cores = (cpu_secs([proc]) - cpu0) / args.secs
                hot = self_time(out.read_text() if out.exists() else "", args.top)
                where = "; ".join(f"{f} {share:.0%}" for f, share in hot)
                rows.append(f"| {name} (pid {proc.name}) "
                            f"| {cores:.2f} | {where} |")  # fmt: skip
            run.interrupt()
            wait_for(lambda: not run.group_alive(), 60, "sparse run to stop", run.log)
            threads = jvm_rows(threads0, threads1, samples, args.secs, args.jvm_top)
    table = "\n".join([
        f"## Where the time goes: py-spy and JFR on the logs topology — {date.today()}",
        "",
        f"{machine()}. `sparse run -n logs` (local parallelism) fed {args.rate:,} lines/s; "
        f"after {args.settle} s, each Python component sampled for {args.secs} s. Command: "
        f"`.venv/bin/python bench/profile_logs.py --rate {args.rate} --secs {args.secs}`.",
        "",
        "| component | CPU (cores) | where its samples land (innermost frame, share) |",
        "|---|---|---|",
        *rows,
        "",
        f"The Storm JVM (pid {jvm}) used {jvm_cores:.2f} cores over the same seconds. Its "
        "busiest threads (CPU: the JVM's per-thread figure from `jcmd Thread.print` at "
        "both ends; methods: the Flight Recorder's execution samples over the next "
        f"{args.secs} s, `settings=profile`):",
        "",
        "| JVM threads (numbers as #) | threads | CPU (cores) | where its samples land |",
        "|---|---|---|---|",
        *threads,
    ])  # fmt: skip
    print(table)
    write_section(args.out, "profile", table)


if __name__ == "__main__":
    main()
