"""The shipped access-log sample and what the log analyzer must make of it.

Expected values come from the data's README and a naive split of the request,
independently of the project's parser.
"""

import json
from collections import Counter
from pathlib import Path

from sparse_run import PROJECT

from logstorm.jsonl_follow import complete_lines, complete_records

SAMPLE = PROJECT / "data" / "apache_logs"
BROKEN_LINE = 8899  # its user-agent lacks the closing quote (see data/README.md)
STATUSES = {
    "200": 9125,
    "206": 45,
    "301": 164,
    "304": 445,
    "403": 2,
    "404": 213,
    "416": 2,
    "500": 3,
}


def windows(path: Path, metric: str) -> list[dict]:
    """The whole window records of a sink for one metric (a line mid-write is not one)."""
    return [r for r in complete_records(path) if r["metric"] == metric]


def window_rows(path: Path) -> list[str]:
    """A sink's whole lines sorted by metric and window end, to compare with a reference."""
    return sorted(complete_lines(path),
                  key=lambda r: (json.loads(r)["metric"], json.loads(r)["window_end"]))  # fmt: skip


def first_window_with_total(path: Path, metric: str, total: int):
    return next((w for w in windows(path, metric) if w["total"] >= total), None)


def window_counting_at_least(path: Path, metric: str, expected: dict[str, int]):
    """The first window whose counts reach expected for every key (at-least-once: replays
    may have counted some lines twice, so a total alone proves nothing). Replays can push
    a key out of a full top-N: such a key passes only if the smallest count shown reaches
    its expected count (had it been counted less, it would show above that one).

    >>> full = {"metric": "url", "distinct": 30, "top": [["/a", 9], ["/b", 7]]}
    >>> _reaches(full, {"/a": 9, "/c": 7}), _reaches(full, {"/a": 9, "/c": 8})
    (True, False)
    >>> _reaches({**full, "distinct": 2}, {"/a": 9, "/c": 1})   # nothing hidden
    False
    """
    return next((w for w in windows(path, metric) if _reaches(w, expected)), None)


def _reaches(window: dict, expected: dict[str, int]) -> bool:
    shown = dict(window["top"])
    cut = window["distinct"] > len(shown)  # keys below the top-N are not shown
    floor = min(shown.values(), default=0)
    return all(shown[key] >= n if key in shown else cut and floor >= n
               for key, n in expected.items())  # fmt: skip


def expected_url_top(lines: list[str], n: int) -> list[list]:
    """URLs counted the naive way (independent of the parser), ranked count desc, key asc."""
    urls = Counter(line.split('"')[1].split(" ")[1] for line in lines)
    return [[k, c] for k, c in sorted(urls.items(), key=lambda kv: (-kv[1], kv[0]))[:n]]


def expected_host_top(lines: list[str], n: int) -> list[list]:
    """Client hosts (the first field) counted the naive way, ranked like the windows."""
    hosts = Counter(line.split(" ", 1)[0] for line in lines)
    return [[k, c] for k, c in sorted(hosts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]]
