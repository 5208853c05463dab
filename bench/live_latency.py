"""End-to-end rate and latency of the logs topology on `sparse run`, fed live.

    .venv/bin/python bench/live_latency.py [--rates 1000 4000] [--secs 60]

For each rate, a fresh `sparse run -n logs` (real Storm LocalCluster, local
parallelism) tails a temp folder while this script appends generated traffic at
that rate. About once a second, at random phases of the slide, it also appends a
probe line with status 599; a probe's latency is the time from its write to the
first status window in the JSONL sink that counts it (status windows slide every
second here, as URL windows do by default). "Counted" is the rate at which the URL
window's total grew; "kept up" means it grew at 95% or more of the written rate.
Writes its table to BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests"), str(ROOT / "bench")]

from parse_rate import write_section  # noqa: E402
from reference import generated, reference_rate  # noqa: E402
from sparse_run import SparseRun, wait_for  # noqa: E402

from logstorm.traffic import TrafficGenerator  # noqa: E402

PROBE = '10.9.9.9 - - [{t}] "GET /probe HTTP/1.1" 599 1 "-" "probe"'


def _clf_time(epoch: float) -> str:
    return time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(epoch))


def measure(rate: int, secs: int, workdir: Path, extra: dict[str, str]) -> dict:
    inbox, sink = workdir / "in", workdir / "windows.jsonl"
    inbox.mkdir()
    options = {
        "logstorm.input.path": inbox,
        "logstorm.output.path": sink,
        "logstorm.errors.path": workdir / "errors.jsonl",
        "logstorm.console": "false",
        "logstorm.window.status.slide.secs": 1,
        **extra,
    }
    gen = TrafficGenerator(seed=rate)
    probes: list[float] = []
    seen: list[float] = []
    written = 0
    offset = 0
    with SparseRun("logs", workdir / "run.log", options) as run, open(inbox / "a.log", "a") as log:
        wait_for(lambda: sink.exists() and sink.stat().st_size, 300, "a first window", run.log)
        start = time.monotonic()
        next_probe = start
        windows: list[dict] = []
        while True:
            now = time.monotonic()
            elapsed = now - start
            if elapsed < secs:
                due = int(elapsed * rate) - written
                if due > 0:
                    t = time.time()
                    log.write("".join(gen.line(t) + "\n" for _ in range(due)))
                    written += due
                if now >= next_probe:
                    log.write(PROBE.format(t=_clf_time(time.time())) + "\n")
                    probes.append(time.monotonic())
                    next_probe += random.uniform(0.5, 1.5)  # any phase of the slide
                log.flush()
            with open(sink) as fh:
                fh.seek(offset)
                chunk = fh.read()
            complete = chunk[: chunk.rfind("\n") + 1]
            offset += len(complete.encode())
            for line in complete.splitlines():
                w = json.loads(line)
                windows.append(w)
                if w["metric"] == "status":
                    counted = dict(w["top"]).get("599", 0)
                    while len(seen) < min(counted, len(probes)):
                        seen.append(time.monotonic())
            url_totals = [w["total"] for w in windows if w["metric"] == "url"]
            if elapsed >= secs and (
                (url_totals and url_totals[-1] >= written + len(probes)) or elapsed > secs + 60
            ):
                break
            time.sleep(0.02)
        run.interrupt()
        wait_for(lambda: not run.group_alive(), 60, "sparse run to stop", run.log)
    latencies = sorted(s - p for p, s in zip(probes, seen, strict=False))
    url = [w for w in windows if w["metric"] == "url"]
    first = next(w for w in url if w["total"] > 0)
    counted_rate = (url[-1]["total"] - first["total"]) / max(
        1, url[-1]["window_end"] - first["window_end"]
    )
    return {
        "rate": rate,
        "written": written + len(probes),
        "counted": url[-1]["total"],
        "counted_rate": counted_rate,
        "p50": statistics.median(latencies) if latencies else float("nan"),
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
        if latencies
        else float("nan"),
        "probes": f"{len(seen)}/{len(probes)}",
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rates", type=int, nargs="+", default=[1000, 4000])
    ap.add_argument("--secs", type=int, default=60)
    ap.add_argument("-o", dest="options", action="append", default=[], help="extra key=value")
    ap.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md", help="markdown to update")
    args = ap.parse_args()
    extra = dict(o.split("=", 1) for o in args.options)
    ceiling = reference_rate(generated(100_000))  # the peer, in this same run
    print(f"one-process ceiling: {ceiling:,.0f} lines/s", flush=True)
    rows = []
    for rate in args.rates:
        with tempfile.TemporaryDirectory() as tmp:
            r = measure(rate, args.secs, Path(tmp), extra)
        print(r, flush=True)
        kept = "yes" if r["counted_rate"] >= 0.95 * rate else "no"
        rows.append(
            f"| {r['rate']:,} | {r['counted_rate']:,.0f} | {r['counted_rate'] / ceiling:.2f} | "
            f"{kept} | {r['p50']:.2f} | {r['p99']:.2f} | {r['probes']} |"
        )
    table = "\n".join(
        [
            f"## Logs topology on `sparse run`, live traffic — {date.today()}",
            "",
            "Real Storm LocalCluster, `local` parallelism (spout 1, parse 2, url 2, status 2), "
            f"{args.secs} s per rate, 2 cores. Command: `.venv/bin/python bench/live_latency.py "
            f"--rates {' '.join(map(str, args.rates))} --secs {args.secs}"
            f"{''.join(' -o ' + o for o in args.options)}`. One run per rate.",
            "",
            "| written lines/s | counted lines/s | counted / one-process ceiling | kept up "
            "| latency p50 (s) | p99 (s) | probes seen |",
            "|---|---|---|---|---|---|---|",
            *rows,
            "",
            f"Peer in the same run: the one-process ceiling (`bench/reference.py`: parse + "
            f"both windows + top-10 per slide in one Python process) ran at {ceiling:,.0f} "
            "lines/s.",
            "",
            "Latency: probe line appended -> first status window (1 s slide) in the JSONL sink "
            "that counts it; it includes the wait for the slide to end (0-1 s); a slide is "
            "closed by the first tuple after its end, or by the next tick when no data comes.",
        ]
    )
    print(table)
    section = "live-latency" + "".join("-" + o for o in args.options)
    write_section(args.out, section, table)


if __name__ == "__main__":
    main()
