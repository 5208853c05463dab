"""A generator of realistic Apache "combined" access-log traffic.

It feeds the log-analyzer topology live, appending to a file the spout tails (the
role Flume's tail played in the original course), and it makes input for
benchmarks. For a seed, the lines are deterministic: the same seed and the same
timestamps give byte-identical output.

The traffic looks like a small technical site's: Zipf-popular URLs (a few hundred
pages, images, feeds and searches), mostly 200s with some 304, 404, 301 and 206 and
rare 403 and 500, size ``-`` for 304s and HEADs, about 5% IPv6 clients, a few user
agents and referers, and rarely a ``\\"`` escaped quote in the user-agent or referer,
as Apache writes it.

    python -m logstorm.traffic --out PATH --rate LINES_PER_SEC [--seed N]
                               [--count N] [--duration SECS]
    python -m logstorm.traffic --topic access-log [--servers 127.0.0.1:9092] --rate ...

appends lines to PATH (``-``: stdout), or produces them to a Kafka topic (one record
per line, through :mod:`logstorm.shipping.producer`), at a steady rate until the count
or duration is reached, or until interrupted (Ctrl-C, SIGTERM); ``--rate 0`` writes
as fast as possible.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import itertools
import math
import os
import random
import signal
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

from logstorm.parsing.accesslog import AccessRecord

DEFAULT_START = 1431856800.0  # 17/May/2015:10:00:00 +0000
TICK = 0.05  # seconds between write batches
MAX_BATCH = 10_000  # lines per write at most
CLIENTS = 2000  # distinct hosts, a few of them busy


def _cumulative(*weights: float) -> tuple[float, ...]:
    return tuple(itertools.accumulate(weights))


SITE = "https://www.example.com"
_TOPICS: tuple[str, ...] = ("storm", "kafka", "flume", "hadoop", "spark", "python")
_TOPICS += ("streamparse", "zookeeper", "logs", "metrics", "java", "clojure")
_KINDS = ("intro", "tuning", "internals", "faq", "howto", "benchmarks")
_POPULAR: tuple[str, ...] = ("/", "/css/site.css", "/js/app.js", "/favicon.ico", "/images/logo.png")
_POPULAR += ("/feed.xml", "/robots.txt", "/about/", "/contact/")

_STATUSES = (200, 304, 404, 301, 206, 403, 500)
_STATUS_WEIGHTS = _cumulative(80, 9, 5, 3, 2, 0.6, 0.4)
_ERROR_SIZES = {301: (230, 250), 403: (199, 320), 404: (196, 520), 500: (530, 620)}
_METHODS = ("GET", "HEAD", "POST")
_METHOD_WEIGHTS = _cumulative(92, 4, 4)
_USERS = ("alice", "bob", "carol", "admin")
_AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "curl/7.81.0",
    "python-requests/2.31.0",
)
_AGENT_WEIGHTS = _cumulative(35, 20, 15, 12, 8, 4, 3, 3)
_EXTERNAL_REFERERS = (
    "https://www.google.com/",
    "https://www.bing.com/search?q=apache+storm",
    "https://duckduckgo.com/",
    "https://news.ycombinator.com/",
    "https://t.co/x1Yz9kQ",
)
_QUOTED_AGENT = 'Mozilla/5.0 (compatible; "SiteChecker"/2.1; +http://checker.example/)'
_QUOTED_REFERER = 'https://forum.example.org/search?q="storm+topology"'
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def site_paths() -> list[str]:
    """The site's URLs (a few hundred), the most popular assets and pages first."""
    pairs = list(itertools.product(_TOPICS, _KINDS))
    blog = [f"/blog/{2013 + i // 12}/{i % 12 + 1:02d}/{t}-{k}" for i, (t, k) in enumerate(pairs)]
    articles = [f"/articles/{t}/" for t in _TOPICS] + [f"/articles/{t}/{k}" for t, k in pairs]
    images = [f"/images/{t}-{n}.png" for t in _TOPICS for n in range(1, 6)]
    searches = [f"/search?q={t}" for t in _TOPICS]
    searches += [f"/search?page={n}&q={t}" for t in _TOPICS for n in (2, 3, 4)]
    pages = [f"/blog/?page={n}" for n in range(2, 11)]
    return [*_POPULAR, *blog, *articles, *images, *searches, *pages]


def format_line(record: AccessRecord) -> str:
    """The record as a combined-format line (no newline), quotes escaped as Apache does."""
    request = f"{record.method} {record.path} {record.protocol}"
    size = "-" if record.size is None else record.size
    return (
        f'{record.host} {record.ident} {record.user} [{_timestamp(record.time)}] '
        f'"{_escape(request)}" {record.status} {size} '
        f'"{_escape(record.referer or "-")}" "{_escape(record.agent or "-")}"'
    )


class TrafficGenerator:
    """Seeded source of access-log records; the same seed and times give the same lines."""

    def __init__(self, seed: int = 0) -> None:
        self._rng = rng = random.Random(seed)
        popular = len(_POPULAR)
        paths = site_paths()
        ranked = paths[popular:]
        rng.shuffle(ranked)  # which posts are popular depends on the seed
        self._paths = paths[:popular] + ranked
        self._path_weights = _zipf(len(self._paths), 1.0)
        self._sizes = {path: _body_size(rng, path) for path in self._paths}
        self._hosts = [_host(rng) for _ in range(CLIENTS)]
        self._host_weights = _zipf(CLIENTS, 0.8)

    def record(self, when: float) -> AccessRecord:
        """One random request at `when` (epoch seconds)."""
        rng = self._rng
        path = rng.choices(self._paths, cum_weights=self._path_weights)[0]
        method = rng.choices(_METHODS, cum_weights=_METHOD_WEIGHTS)[0]
        status = rng.choices(_STATUSES, cum_weights=_STATUS_WEIGHTS)[0]
        referer = self._referer()
        agent = rng.choices(_AGENTS, cum_weights=_AGENT_WEIGHTS)[0]
        if rng.random() < 0.002:  # a client that puts a quote in a header
            if rng.random() < 0.5:
                agent = _QUOTED_AGENT
            else:
                referer = _QUOTED_REFERER
        return AccessRecord(
            host=rng.choices(self._hosts, cum_weights=self._host_weights)[0],
            ident="-",
            user=rng.choice(_USERS) if rng.random() < 0.01 else "-",
            time=int(when),
            method=method,
            path=path,
            protocol="HTTP/1.0" if rng.random() < 0.1 else "HTTP/1.1",
            status=status,
            size=self._size(method, status, path),
            referer=referer,
            agent=agent,
        )

    def line(self, when: float) -> str:
        """One combined-format line (no newline) stamped `when` (epoch seconds)."""
        return format_line(self.record(when))

    def lines(self, n: int, start: float = DEFAULT_START, rate: float = 100.0) -> Iterator[str]:
        """n lines from `start` on, `rate` lines per second of log time."""
        for i in range(n):
            yield self.line(start + i / rate)

    def _referer(self) -> str:
        rng = self._rng
        roll = rng.random()
        if roll < 0.35:
            return "-"
        if roll < 0.8:
            return SITE + rng.choices(self._paths, cum_weights=self._path_weights)[0]
        return rng.choice(_EXTERNAL_REFERERS)

    def _size(self, method: str, status: int, path: str) -> int | None:
        if method == "HEAD" or status == 304:
            return None  # no body: Apache's %b writes "-"
        if status in _ERROR_SIZES:
            return self._rng.randint(*_ERROR_SIZES[status])
        if status == 206:
            return self._rng.randint(1, self._sizes[path])
        return self._sizes[path]


def _zipf(n: int, exponent: float) -> tuple[float, ...]:
    """Cumulative weights of ranks 1..n under Zipf's law."""
    return _cumulative(*(1 / rank**exponent for rank in range(1, n + 1)))


def _body_size(rng: random.Random, path: str) -> int:
    if path == "/favicon.ico":
        return 1150
    if path.startswith("/images/"):
        return rng.randint(2_000, 250_000)
    if path.endswith((".css", ".js")):
        return rng.randint(4_000, 90_000)
    return rng.randint(2_500, 45_000)


def _host(rng: random.Random) -> str:
    if rng.random() < 0.05:
        groups = (rng.randrange(0x10000), rng.randrange(0x10000), rng.randrange(1, 0x10000))
        return "2001:db8:{:x}:{:x}::{:x}".format(*groups)
    first = rng.choice((23, 31, 66, 77, 89, 93, 104, 151, 178, 203))
    return f"{first}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


@functools.lru_cache(maxsize=8)
def _timestamp(epoch: int) -> str:
    t = time.gmtime(epoch)  # the month by name, not strftime's locale-dependent %b
    return f"{t.tm_mday:02d}/{_MONTHS[t.tm_mon - 1]}/" + time.strftime("%Y:%H:%M:%S +0000", t)


def schedule(rate: float, count: int | None = None, duration: float | None = None) -> Iterator[int]:
    """Sizes of the write batches that keep `rate` lines/s (0: as fast as possible).

    Paced by the monotonic clock: every TICK seconds, the lines due so far, in batches
    of at most MAX_BATCH. Ends after `count` lines or `duration` seconds, else never.
    """
    start = time.monotonic()
    end = math.inf if duration is None else start + duration
    total = math.inf if count is None else count
    done = 0
    while True:
        now = min(time.monotonic(), end)
        due = min(total, done + MAX_BATCH if rate == 0 else math.floor((now - start) * rate))
        while done < due:
            batch = int(min(due - done, MAX_BATCH))
            yield batch
            done += batch
        if done >= total or now >= end:
            return
        if rate:
            time.sleep(min(TICK, end - now))


def main(argv: Sequence[str] | None = None) -> int:
    """Append generated lines to --out at --rate; return 0 when done or interrupted."""
    parser = argparse.ArgumentParser(
        prog="python -m logstorm.traffic", description="Write realistic Apache access-log lines."
    )
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--out", help="file to append to, or - for stdout")
    target.add_argument("--topic", help="Kafka topic to produce to")
    parser.add_argument("--servers", default="127.0.0.1:9092", help="Kafka bootstrap servers")
    parser.add_argument("--rate", type=float, required=True, help="lines per second; 0: no limit")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--count", type=int, help="stop after this many lines")
    parser.add_argument("--duration", type=float, help="stop after this many seconds")
    args = parser.parse_args(argv)
    if args.rate < 0:
        parser.error("--rate must be >= 0")
    if args.rate == 0 and args.count is None and args.duration is None:
        parser.error("--rate 0 needs --count or --duration")

    stopping = False

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    generator = TrafficGenerator(args.seed)
    out_cm = _open_out(args.out) if args.topic is None else _TopicOut(args.servers, args.topic)
    written = 0
    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with out_cm as out:
            for batch in schedule(args.rate, args.count, args.duration):
                if stopping:
                    break
                when = time.time()
                out.write("".join(generator.line(when) + "\n" for _ in range(batch)).encode())
                out.flush()  # whole lines, so a tailing reader never sees half of one
                written += batch
    except BrokenPipeError:  # the reader of stdout went away
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    wrote_to = "stdout" if args.out == "-" else args.out or f"Kafka topic {args.topic}"
    print(f"traffic: wrote {written} lines to {wrote_to}", file=sys.stderr)
    return 0


class _TopicOut:
    """The generator's output as Kafka records: write() takes whole lines."""

    def __init__(self, servers: str, topic: str) -> None:
        from logstorm.kafka_topic import KafkaUnavailable
        from logstorm.shipping.producer import LineProducer

        try:
            self.producer = LineProducer(servers, topic)
        except KafkaUnavailable as err:
            sys.exit(f"traffic: {err}")
        self.batches = self.lost = 0

    def write(self, data: bytes) -> None:
        self.batches += 1
        self.producer.send(str(self.batches), data.splitlines())

    def flush(self) -> None:
        """Serve the delivery reports; a batch Kafka refused is counted, not resent."""
        self.lost += sum(not ok for _, ok in self.producer.results())

    def __enter__(self) -> _TopicOut:
        return self

    def __exit__(self, *exc: object) -> None:
        self.producer.flush(10.0)
        self.flush()
        if self.lost:
            print(f"traffic: {self.lost} batches not confirmed by Kafka", file=sys.stderr)


def _open_out(out: str) -> contextlib.AbstractContextManager[BinaryIO]:
    if out == "-":
        return contextlib.nullcontext(sys.stdout.buffer)
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    return open(out, "ab")


if __name__ == "__main__":
    sys.exit(main())
