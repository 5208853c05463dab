"""Parse rate of logstorm's access-log parser vs the course's regex, in one run.

    .venv/bin/python bench/parse_rate.py [--passes 20] [--runs 5]

Both parse the real sample (data/apache_logs) repeated --passes times in this one
process; each figure is the median of --runs runs (spread = min..max). The peer is
the course's PySpark regex (``\\[(.+)\\]``, ``"(.+)"`` ... anchored), which also
backtracks polynomially on crafted lines (see tests/test_accesslog.py); here it runs
on well-formed lines only, its best case. Writes the table into BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import platform
import re
import statistics
import time
from datetime import date
from pathlib import Path

from logstorm.parsing.accesslog import MalformedLine, parse_line

ROOT = Path(__file__).resolve().parent.parent

COURSE_REGEX = re.compile(
    r'^(?P<host>\S+)\s+(?P<ident>\S+)\s+(?P<user>\S+)\s+\[(?P<time>.+)\]\s+"(?P<request>.+)"'
    r'\s+(?P<status>\d{3})\s+(?P<size>\S+)\s+"(?P<referer>.*)"\s+"(?P<agent>.*)"\Z'
)


def ours(lines: list[str]) -> int:
    ok = 0
    for line in lines:
        try:
            parse_line(line)
            ok += 1
        except MalformedLine:
            pass
    return ok


def course(lines: list[str]) -> int:
    ok = 0
    for line in lines:
        m = COURSE_REGEX.match(line)
        if m:
            m["request"].split(" ")  # the course took the URL from the request
            ok += 1
    return ok


def measure(fn, lines: list[str], runs: int) -> list[float]:
    rates = []
    for _ in range(runs):
        start = time.perf_counter()
        fn(lines)
        rates.append(len(lines) / (time.perf_counter() - start))
    return rates


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--passes", type=int, default=20)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md", help="markdown to update")
    args = ap.parse_args()
    lines = (ROOT / "data" / "apache_logs").read_text().splitlines() * args.passes
    results = {
        name: measure(fn, lines, args.runs)
        for name, fn in [("logstorm", ours), ("course regex", course)]
    }
    med = {k: statistics.median(v) for k, v in results.items()}
    rows = [
        f"| {name} | {med[name]:,.0f} | {min(v):,.0f}..{max(v):,.0f} |"
        for name, v in results.items()
    ]
    table = "\n".join(
        [
            f"## Access-log parse rate (one process) — {date.today()}",
            "",
            f"Machine: {platform.machine()}, {__import__('os').cpu_count()} cores, "
            f"Python {platform.python_version()}. "
            "Command: `.venv/bin/python bench/parse_rate.py "
            f"--passes {args.passes} --runs {args.runs}` "
            f"({len(lines):,} lines per run, median of {args.runs}).",
            "",
            "| parser | lines/s (median) | spread (min..max) |",
            "|---|---|---|",
            *rows,
            "",
            f"Ratio logstorm / course regex: **{med['logstorm'] / med['course regex']:.2f}x** "
            "(logstorm also converts the timestamp to epoch seconds, unescapes quoted "
            "fields and splits the request; the course regex only matches).",
        ]
    )
    print(table)
    write_section(args.out, "parse-rate", table)


def write_section(path: Path, name: str, body: str) -> None:
    """Replace (or append) the section between markers named name in path."""
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    block = f"{begin}\n{body}\n{end}"
    if begin in text:
        text = text[: text.index(begin)] + block + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text)


if __name__ == "__main__":
    main()
