"""The soak: the logs topology on the loopback cluster for a long while under steady
load, watched for what grows.

    .venv/bin/python bench/soak.py [--minutes 30] [--rate 50000] [--warmup 5] [--every 30]

A fresh `sparse submit -e cluster -n logs` tails a new folder (processing time, the
state folder set) while generated lines are appended at ``--rate`` lines/s; every
``--every`` seconds it samples:

- the resident memory of every process of the topology (the worker JVMs, and the
  Python components by kind);
- the windows the sink wrote, per minute (a URL window every second and a status
  window every 5 s: 60 and 12 per full minute);
- whether it keeps up: the lines counted in the newest URL window over the lines
  appended in that window's span (1.000: every line counted within its slide);
- the spout's chunks in flight (its status file's ``pending``): each holds its lines
  until acked, so the spout's memory follows them, up to ``topology.max.spout.pending``;
- the size of every file of the state folder (window journals, the rankings' outbox
  and records) and of the spout's position and cut files.

It reports, per process kind, the RSS after the warm-up (``--warmup`` minutes), at
the end and its slope (least squares over the samples after the warm-up, MiB per
hour; flat is within noise of 0); the minutes with a window missing; the largest
size of each state file and whether it kept within its compaction bound. Writes its
table to RELIABILITY.md (section ``soak``). Needs the cluster (started if down).
"""

from __future__ import annotations

import argparse
import bisect
import re
import shlex
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]  # topologies/, helpers

import suite_env  # noqa: E402

suite_env.use_project_services()  # run by hand: the project's cluster and broker

from faults import COMPONENTS, idle_cluster, submit  # noqa: E402
from live_latency import machine  # noqa: E402
from parse_rate import write_section  # noqa: E402
from sparse_run import wait_for  # noqa: E402
from storm_cluster import kill as kill_topology  # noqa: E402
from storm_cluster import python_components  # noqa: E402

from logstorm import logs_options as opt  # noqa: E402
from logstorm.jsonl_follow import JsonLinesFollower  # noqa: E402
from logstorm.monitoring.status import read_statuses, status_dir  # noqa: E402
from logstorm.traffic import TrafficGenerator  # noqa: E402
from topologies.logs import Logs  # noqa: E402

WORKER_CLASS = "org.apache.storm.daemon.worker.Worker"
# What each state file may grow to: the journals are compacted every 300 saves, the
# outbox past 10,000 windows (each well under 1 KiB); records are one JSON object.
MAX_PENDING = Logs.config["topology.max.spout.pending"]
BATCH_LINES = opt.read_logs_options({})[opt.BATCH_LINES]
BOUNDS_BYTES = {"journal": 64 << 20, "outbox": 16 << 20, "record": 1 << 20, "input": 8 << 20}


class PoolWriter(threading.Thread):
    """Appends lines from a pool of generated ones at a steady rate (cheap enough for
    tens of thousands of lines/s; processing time does not read their timestamps)."""

    def __init__(self, path: Path, rate: int) -> None:
        super().__init__(daemon=True)
        traffic = TrafficGenerator(seed=11)
        self.pool = [(traffic.line(time.time()) + "\n").encode() for _ in range(50_000)]
        self.path, self.rate, self.written = path, rate, 0
        self.history: list[tuple[float, int]] = [(time.time(), 0)]  # (wall clock, written)
        self.running = threading.Event()
        self.running.set()

    def run(self) -> None:
        start = time.monotonic()
        with open(self.path, "ab") as fh:
            while self.running.is_set():
                due = int((time.monotonic() - start) * self.rate) - self.written
                at = self.written % len(self.pool)
                batch = (self.pool[at:] + self.pool)[:due]
                fh.write(b"".join(batch))
                fh.flush()
                self.written += len(batch)
                self.history.append((time.time(), self.written))
                time.sleep(0.05)

    def stop(self) -> None:
        self.running.clear()
        self.join()

    def written_between(self, start: float, end: float) -> int:
        """Lines appended between two wall-clock times (to the writer's 0.05 s step)."""
        times = [at for at, _ in self.history]

        def upto(moment: float) -> int:
            return self.history[max(bisect.bisect_right(times, moment) - 1, 0)][1]

        return upto(end) - upto(start)


def rss_by_kind() -> dict[str, int]:
    """Bytes resident per process kind: worker JVMs, and each Python component kind."""
    kinds: dict[str, int] = defaultdict(int)
    for kind, cls in COMPONENTS.items():
        for pid in python_components(cls):
            kinds[kind] += _rss(pid)
    for proc in Path("/proc").iterdir():
        try:
            cmd = (proc / "cmdline").read_bytes().decode()
        except OSError:
            continue
        if WORKER_CLASS in cmd and "-Dstorm.id=logs-" in cmd:
            kinds["worker JVMs"] += _rss(int(proc.name))
    return dict(kinds)


def _rss(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    found = re.search(r"VmRSS:\s+(\d+) kB", status)
    return int(found[1]) * 1024 if found else 0


def state_sizes(folder: Path) -> dict[str, int]:
    """Bytes of each state file, named by kind: journal, outbox, record, input."""
    sizes: dict[str, int] = {}
    for path in (folder / "state").rglob("*"):
        if path.is_file():
            kind = ("journal" if path.name.endswith(".jsonl") and "window" in path.name
                    else "outbox" if "outbox" in path.name else "record")  # fmt: skip
            sizes[f"{kind}: {path.name}"] = path.stat().st_size
    for path in (folder / "in").glob(".logstorm-positions*"):
        sizes[f"input: {path.name}"] = path.stat().st_size
    return sizes


def slope_per_hour(samples: list[tuple[float, int]]) -> float:
    """Least-squares slope of (seconds, bytes) in MiB per hour."""
    if len(samples) < 2:
        return 0.0
    xs, ys = zip(*samples, strict=True)
    return statistics.linear_regression(xs, ys).slope * 3600 / 2**20


def soak(minutes: float, rate: int, warmup: float, every: float) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="soak-"))
    defaults = {"logstorm.window.status.secs": 300, "topology.message.timeout.secs": 30}
    log, out = submit(folder, "processing", defaults)  # the analyzer as shipped
    writer = PoolWriter(log, rate)
    writer.start()
    windows = JsonLinesFollower(out / "windows.jsonl")
    per_minute: dict[str, Counter[int]] = {"url": Counter(), "status": Counter()}
    rss: dict[str, list[tuple[float, int]]] = defaultdict(list)
    kept_up: list[tuple[float, float]] = []  # (seconds, counted / written in a URL window)
    pending: list[tuple[float, int]] = []  # (seconds, the spout's chunks in flight)
    largest: dict[str, int] = {}
    wait_for(lambda: (out / "windows.jsonl").exists(), 240, "the first windows")
    start = time.monotonic()
    try:
        while (now := time.monotonic()) - start < minutes * 60:
            newest = None
            for window in windows.read():
                per_minute[window["metric"]][window["window_end"] // 60] += 1
                newest = window if window["metric"] == "url" else newest
            if newest is not None:
                end = newest["window_end"]
                written = writer.written_between(end - newest["window_secs"], end)
                kept_up.append((now - start, newest["total"] / max(written, 1)))
            for kind, size in rss_by_kind().items():
                rss[kind].append((now - start, size))
            statuses = read_statuses(status_dir(out / "windows.jsonl"))
            pending.append((now - start, sum(status.get("pending", 0) for status in statuses)))
            for name, size in state_sizes(folder).items():
                largest[name] = max(largest.get(name, 0), size)
            total = sum(samples[-1][1] for samples in rss.values()) / 2**20
            ratio = f"{kept_up[-1][1]:.3f}" if kept_up else "-"
            print(f"soak: {(now - start) / 60:.1f} min, {writer.written:,} lines written, "
                  f"counted/written {ratio}, RSS {total:,.0f} MiB, "
                  f"{pending[-1][1]} chunks in flight", flush=True)  # fmt: skip
            time.sleep(every)
    finally:
        writer.stop()
        kill_topology("logs")
    return {"rss": rss, "per_minute": per_minute, "largest": largest, "warmup": warmup * 60,
            "kept_up": kept_up, "pending": pending,
            "written": writer.written, "minutes": minutes, "rate": rate,
            "every": every}  # fmt: skip


def after_warmup(samples: list[tuple[float, Any]], warm: float) -> list[tuple[float, Any]]:
    """The (seconds, value) samples taken after the warm-up (all of them if none was)."""
    return [(t, v) for t, v in samples if t >= warm] or samples


def table(result: dict, command: str) -> str:
    warm = result["warmup"]
    lines = [
        f"## Soak on the loopback cluster — {date.today().isoformat()}\n",
        f"{machine()}. `{command}`: {result['minutes']:.0f} min at {result['rate']:,} lines/s "
        f"written (tailed, processing time, state folder set), {result['written']:,} lines; "
        f"a sample every {result['every']:.0f} s, slopes over the samples after the first "
        f"{warm / 60:.0f} min.\n",
        "| process kind | RSS after warm-up (MiB) | RSS at the end (MiB) | slope (MiB/h) |",
        "|---|---|---|---|",
    ]
    for kind, samples in sorted(result["rss"].items()):
        after = after_warmup(samples, warm)
        lines.append(f"| {kind} | {after[0][1] / 2**20:,.0f} | {after[-1][1] / 2**20:,.0f} | "
                     f"{slope_per_hour(after):+,.1f} |")  # fmt: skip
    ratios = [r for _, r in after_warmup(result["kept_up"], warm)]
    if ratios:
        lines += [
            "",
            "Kept up: lines counted in the newest URL window over the lines written "
            f"in its span, after the warm-up: lowest {min(ratios):.3f}, median "
            f"{statistics.median(ratios):.3f}, at the end {ratios[-1]:.3f} "
            "(1.000 = every line counted within its slide; a backlog shows below 1).",
        ]
    in_flight = [n for _, n in after_warmup(result["pending"], warm)]
    if in_flight:
        lines += [
            "",
            f"The spout's chunks in flight (up to {BATCH_LINES:,} lines each, held until acked; "
            f"`topology.max.spout.pending` {MAX_PENDING}) after the warm-up: "
            f"first {in_flight[0]}, median {statistics.median(in_flight):.0f}, "
            f"highest {max(in_flight)}, at the end {in_flight[-1]}.",
        ]
    lines += ["", "| metric | full minutes | with a window missing | expected per minute |",
              "|---|---|---|---|"]  # fmt: skip
    for metric, want in (("url", 60), ("status", 12)):
        minutes = sorted(result["per_minute"][metric])[1:-1]  # the first and last are partial
        short = [m for m in minutes if result["per_minute"][metric][m] < want]
        lines.append(f"| {metric} | {len(minutes)} | {len(short)} | {want} |")
    lines += ["", "| state file | largest (KiB) | bound (KiB) | within |", "|---|---|---|---|"]
    for name, size in sorted(result["largest"].items()):
        bound = BOUNDS_BYTES[name.split(":")[0]]
        lines.append(f"| `{name}` | {size / 1024:,.0f} | {bound / 1024:,.0f} | "
                     f"{'yes' if size <= bound else '**no**'} |")  # fmt: skip
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    # half of the 100,000 lines/s the logs topology sustains live (BENCHMARKS.md)
    parser.add_argument("--rate", type=int, default=50_000)
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--every", type=float, default=30.0)
    parser.add_argument("-o", "--output", type=Path, default=ROOT / "RELIABILITY.md")
    args = parser.parse_args(argv)
    idle_cluster()
    result = soak(args.minutes, args.rate, args.warmup, args.every)
    command = shlex.join(["bench/soak.py", *(sys.argv[1:] if argv is None else argv)])
    write_section(args.output, "soak", table(result, command))
    print(table(result, command))
    return 0


if __name__ == "__main__":
    sys.exit(main())
