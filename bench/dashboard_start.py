"""How fast the dashboard opens on a long history: time to listen and to first data.

Writes a windows file as a long event-time replay leaves it (a URL window a second, a
status and a host window every 5 s; ``--secs`` of log time), then starts
``python -m logstorm.dashboard`` on it as a user does, several times, and measures from
the start of the process to the line it prints once it listens, and to the first
``/events`` message that carries windows (what a browser draws first). The start must
depend on the history the page shows (the last minutes), not on the file's size.
Writes its table to BENCHMARKS.md.

    .venv/bin/python bench/dashboard_start.py --secs 130000 --runs 3
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from parse_rate import write_section

ROOT = Path(__file__).resolve().parent.parent
HOSTS = [[f"10.0.{n}.{n * 7}", 500 - n] for n in range(10)]
TOP = [[f"/posts/{n:04d}/a-long-enough-slug-to-look-like-one.html", 1000 - n] for n in range(10)]


def write_history(path: Path, secs: int, first: int = 1_431_000_000) -> None:
    """secs of event-time windows: URL every second, status and host every 5 s."""
    with open(path, "w") as fh:
        for t in range(first, first + secs):
            fh.write(json.dumps({"metric": "url", "time": "event", "window_end": t, "top": TOP}))
            fh.write("\n")
            if t % 5 == 0:
                status = {"metric": "status", "time": "event", "window_end": t,
                          "top": [["200", t % 1000]]}  # fmt: skip
                host = {"metric": "host", "time": "event", "window_end": t, "top": HOSTS}
                fh.write(json.dumps(status) + "\n" + json.dumps(host) + "\n")


def first_data(windows: Path) -> tuple[float, float]:
    """Seconds from the dashboard's start to its listening, and to its first windows."""
    started = time.monotonic()
    argv = [sys.executable, "-m", "logstorm.dashboard", "--port", "0", "--windows", str(windows)]
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        listening = time.monotonic() - started
        url = re.match(r"dashboard: (http://\S+/) ", line).group(1)
        with urllib.request.urlopen(url + "events", timeout=120) as stream:
            for raw in stream:
                if raw.startswith(b"data:") and json.loads(raw[5:]).get("windows"):
                    return listening, time.monotonic() - started
        raise RuntimeError("the event stream ended without windows")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--secs", type=int, default=130_000, help="log time in the file")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md", help="markdown to update")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        windows = Path(folder) / "windows.jsonl"
        write_history(windows, args.secs)
        size = windows.stat().st_size
        runs = [first_data(windows) for _ in range(args.runs)]
    listen = statistics.median(r[0] for r in runs)
    data = statistics.median(r[1] for r in runs)
    table = "\n".join(
        [
            f"## The dashboard's start on a long history — {time.strftime('%Y-%m-%d')}",
            "",
            f"`bench/dashboard_start.py --secs {args.secs} --runs {args.runs}`: a windows file of "
            f"{args.secs:,} s of event-time windows ({size / 1e6:.0f} MB), the dashboard "
            "started on it as a user does; medians over the runs.",
            "",
            "| file | listening after | first windows sent after | runs (s, first data) |",
            "|---|---|---|---|",
            f"| {size / 1e6:.0f} MB | {listen:.2f} s | {data:.2f} s | "
            + ", ".join(f"{r[1]:.2f}" for r in runs)
            + " |",
            "",
            "It reads the file's tail backwards to where the page's history begins "
            "(`logstorm.dashboard.window_sources.history_offset`), so the start does not "
            "grow with the file.",
        ]
    )
    print(table)
    write_section(args.out, "dashboard-start", table)


if __name__ == "__main__":
    main()
