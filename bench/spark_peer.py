"""The Spark Streaming peer of the logs topology: the course's DStream job, fed live.

    tools/bench-venv    # once: .cache/bench-venv with pyspark (bench/requirements-spark.txt)
    .cache/bench-venv/bin/python bench/spark_peer.py --rate 100 500 --secs 60 [--fill 300]
        [--json out.json]

`course_job` is the PySpark job the course ran, as it wrote it: every line parsed with
the course's regex (bench/parse_rate.py), mapped to (url, 1) and (status, 1), and
`reduceByKeyAndWindow(add, sub, 300, slide)` (URLs every second, statuses every 5 s),
a checkpoint folder for the inverse function, and each window's total and top 10
written per slide (a JSON line per metric per window, from foreachRDD). It runs on
local[2] (one core for the socket receiver, one for the batches) with
spark.streaming.blockInterval=1000ms, spark.default.parallelism=1 and no web UI.

For each rate, this driver serves generated traffic (logstorm.traffic) on a
127.0.0.1 TCP socket, the stand-in for Flume, and starts the job as a child process
(`--job`, the bench venv's python) reading it, with the status slide at 1 s as in
bench/live_latency.py. Once the job is warm (it wrote a window less than 1 s after its
batch time: its first batches take seconds while the JVM warms up), it sends `--rate`
lines/s for `--fill` seconds (300: the window is full) and then `--secs` more, the
measured seconds, with about once a second, at random phases of the slide, a probe line
with status 599 (status windows have fewer than 10 keys, so the top 10 always shows its
count). It measures, as live_latency.py does for logstorm:

- latency: a probe's send -> the first status window in the job's output counting it
  (includes the block (1 s) and batch (1 s) wait, the batch's processing and the write);
- processed lines/s: the records of the batches Spark completed during the measured
  seconds (its StreamingListener), per second: a job that falls behind shows it at
  once, window full or not; "kept up": that is >= 95% of the written rate and Spark's
  scheduling delay stayed under two batches during the last 10 s of sending;
- RSS: VmRSS summed over the job's process tree (driver python, JVM, python daemon and
  its forked workers; pages they share count in each), sampled twice a second, max;
- CPU: utime+stime (+ reaped children's) of that tree over the measured seconds, in cores;
  and, to tell a quiet machine from a shared one, the busy cores of the whole machine
  (/proc/stat, this driver and any other work included) over the same period.

Prints a line per rate and writes the rows as JSON (--json); a rate whose job died or
never got warm (300 s) gets a row with "error", and the exit status is then 1.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from operator import add, sub
from pathlib import Path
from typing import Any, TextIO

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "bench")]

from parse_rate import COURSE_REGEX  # noqa: E402
from reference import generated  # noqa: E402

from logstorm.jsonl_follow import JsonLinesFollower  # noqa: E402

try:
    import pyspark
    from pyspark import RDD, SparkConf, SparkContext
    from pyspark.streaming import DStream, StreamingContext
    from pyspark.streaming.listener import StreamingListener
except ImportError:
    sys.exit("spark_peer: no pyspark here; run tools/bench-venv, then its python (see --help)")

PROBE = '10.9.9.9 - - [{t}] "GET /probe HTTP/1.1" 599 1 "-" "probe"'
TOP = 10
CLK_TCK = os.sysconf("SC_CLK_TCK")


# --- the course's job -------------------------------------------------------------------


def parse(line: str) -> tuple[str | None, str] | None:
    """(url, status) of a combined-format line, the course's way; None if it does not match."""
    m = COURSE_REGEX.match(line)
    if m is None:
        return None
    request = m["request"].split(" ")
    return (request[1] if len(request) > 1 else None, m["status"])


def course_job(
    lines: DStream,
    emit: Callable[[dict[str, Any]], None],
    window: int = 300,
    url_slide: int = 1,
    status_slide: int = 5,
) -> None:
    """The course's windows over a DStream of log lines; emit gets each window's record."""
    requests = lines.map(parse).filter(lambda r: r is not None)
    urls = requests.filter(lambda r: r[0] is not None).map(lambda r: (r[0], 1))
    statuses = requests.map(lambda r: (r[1], 1))
    for metric, pairs, slide in (("url", urls, url_slide), ("status", statuses, status_slide)):
        counts = pairs.reduceByKeyAndWindow(
            add, sub, window, slide, filterFunc=lambda kv: kv[1] > 0
        )
        counts.foreachRDD(_reporter(metric, window, slide, emit))


def _reporter(
    metric: str, window: int, slide: int, emit: Callable[[dict[str, Any]], None]
) -> Callable[[datetime, RDD], None]:
    def report(batch_time: datetime, rdd: RDD) -> None:
        counts = rdd.collect()  # a few hundred keys at most: one job, no sort job
        top = sorted(counts, key=lambda kv: (-kv[1], kv[0]))[:TOP]
        emit(
            {
                "metric": metric,
                "batch_time": batch_time.timestamp(),  # the window's end
                "window_secs": window,
                "slide_secs": slide,
                "total": sum(n for _, n in counts),
                "distinct": len(counts),
                "top": top,
            }
        )

    return report


class JsonLines:
    """Appends records as JSON lines (stamped `written_at`), flushed, from any thread.

    Pickles as its path: Spark checkpoints the DStream graph, foreachRDD callbacks included.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()  # foreachRDD and the listener call back on py4j threads
        self._file: TextIO | None = None

    def __call__(self, record: dict[str, Any]) -> None:
        with self._lock:
            if self._file is None:
                self._file = open(self.path, "a")  # noqa: SIM115 (open for the job's life)
            self._file.write(json.dumps({**record, "written_at": time.time()}) + "\n")
            self._file.flush()

    def __getstate__(self) -> dict[str, Any]:
        return {"path": self.path}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["path"])


class _Batches(StreamingListener):
    """Spark's own per-batch figures: records received, scheduling and processing delay."""

    def __init__(self, emit: Callable[[dict[str, Any]], None]) -> None:
        super().__init__()
        self.emit = emit

    def onBatchCompleted(self, batchCompleted: Any) -> None:  # Spark's name
        info = batchCompleted.batchInfo()
        self.emit(
            {
                "metric": "batch",
                "batch_time": info.batchTime().milliseconds() / 1000,
                "records": info.numRecords(),
                "scheduling_delay": _millis(info.schedulingDelay()) / 1000,
                "processing_delay": _millis(info.processingDelay()) / 1000,
            }
        )


def _millis(value: Any) -> int:
    return value.get() if hasattr(value, "get") else value  # a Scala Option, or unwrapped


def run_job(port: int, out: Path, workdir: Path, status_slide: int) -> None:
    """The job process: the course's job on the socket until SIGTERM or the driver dies."""
    conf = (
        SparkConf()
        .setMaster("local[2]")
        .setAppName("logstorm-spark-peer")
        .set("spark.streaming.blockInterval", "1000ms")
        .set("spark.default.parallelism", "1")
        .set("spark.ui.enabled", "false")
        .set("spark.ui.showConsoleProgress", "false")
        .set("spark.driver.host", "127.0.0.1")
        .set("spark.driver.bindAddress", "127.0.0.1")
        .set("spark.local.dir", str(workdir / "spark-local"))
    )
    sc = SparkContext(conf=conf)
    sc.setLogLevel("WARN")
    ssc = StreamingContext(sc, 1)
    ssc.checkpoint(str(workdir / "checkpoint"))
    emit = JsonLines(out)
    ssc.addStreamingListener(_Batches(emit))
    course_job(ssc.socketTextStream("127.0.0.1", port), emit, status_slide=status_slide)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    parent = os.getppid()
    ssc.start()
    while not stopping.is_set() and os.getppid() == parent:
        ssc.awaitTerminationOrTimeout(0.5)
    ssc.stop(stopSparkContext=True, stopGraceFully=False)


# --- the driver ---------------------------------------------------------------------------


def _clf_time(epoch: float) -> str:
    return time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(epoch))


class Feeder(threading.Thread):
    """Serves traffic on a 127.0.0.1 socket: `rate` lines/s plus a probe about once a second."""

    def __init__(self, rate: int, secs: float, fill: float = 0) -> None:
        """Sends for fill + secs seconds; probes only in the last secs."""
        super().__init__(daemon=True)
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.server.getsockname()[1]
        self.rate, self.secs, self.fill = rate, secs, fill
        self.go = threading.Event()  # set by the driver once the job is warm
        self.connected = threading.Event()
        self.done = threading.Event()
        self.written = 0
        self.probes: list[float] = []  # monotonic send times
        self.start_time = 0.0

    def run(self) -> None:
        try:
            conn, _ = self.server.accept()
        except OSError:  # closed: the job never connected
            return
        self.connected.set()
        # lines made beforehand, as bench/live_latency.py writes them for logstorm: making
        # them on the fly would take CPU from the job (a third of a core at 100,000/s)
        pool = [(line + "\n").encode() for line in generated(200_000)]
        self.go.wait()
        self.start_time = start = time.monotonic()
        next_probe = start + self.fill
        with conn:
            while (elapsed := time.monotonic() - start) < self.fill + self.secs:
                due = int(elapsed * self.rate) - self.written
                if due > 0:
                    at = self.written
                    conn.sendall(b"".join(pool[(at + i) % len(pool)] for i in range(due)))
                    self.written += due
                if time.monotonic() >= next_probe:
                    conn.sendall((PROBE.format(t=_clf_time(time.time())) + "\n").encode())
                    self.probes.append(time.monotonic())
                    next_probe += random.uniform(0.5, 1.5)  # any phase of the slide
                time.sleep(0.02)
            self.done.wait()  # the connection stays open until the driver is done reading


def process_tree(root: int) -> Iterator[int]:
    """root and its descendants (pids), from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            children.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(entry))
    todo = [root]
    while todo:
        pid = todo.pop()
        yield pid
        todo.extend(children.get(pid, ()))


def tree_usage(root: int) -> tuple[float, int, int]:
    """(CPU seconds incl. reaped children, summed VmRSS bytes, process count) of the tree."""
    ticks = rss = count = 0
    for pid in process_tree(root):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue  # gone meanwhile
        ticks += sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
        rss += next((int(x.split()[1]) for x in status.splitlines() if x.startswith("VmRSS:")), 0)
        count += 1
    return ticks / CLK_TCK, rss * 1024, count


def machine_busy() -> float:
    """CPU seconds the whole machine spent busy since boot (all processes, this one too)."""
    fields = [int(f) for f in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / CLK_TCK  # all but idle and iowait


def _percentile(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(len(values) * q))] if values else float("nan")


def measure(rate: int, secs: int, workdir: Path, fill: int = 0) -> dict[str, Any]:
    """One fresh job at one rate; the figures of the module docstring."""
    out, log = workdir / "windows.jsonl", workdir / "job.log"
    out.touch()
    feeder = Feeder(rate, secs, fill)
    feeder.start()
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable, "PYSPARK_DRIVER_PYTHON": sys.executable}
    cmd = [sys.executable, __file__, "--job", str(feeder.port), str(out), str(workdir), "1"]
    launched = time.monotonic()
    with open(log, "w") as logfh:
        job = subprocess.Popen(cmd, env=env, stdout=logfh, stderr=subprocess.STDOUT)
    records: list[dict[str, Any]] = []
    seen: list[float] = []
    rss_max = procs_max = 0
    cpu: list[tuple[float, float, float]] = []  # (monotonic, job's CPU s, machine's) measured
    next_sample = startup = 0.0
    try:
        sink = JsonLinesFollower(out)
        while True:
            now = time.monotonic()
            if job.poll() is not None:
                sent = now - feeder.start_time if feeder.start_time else 0
                sending = f" after {sent:.0f} s of traffic" if sent else ""
                if sent:
                    since = _wall(feeder.start_time)
                    done = sum(r["records"] for r in records
                               if r["metric"] == "batch" and r["written_at"] >= since)  # fmt: skip
                    sending += f", having processed {done / sent:,.0f} lines/s"
                raise RuntimeError(f"the Spark job exited ({job.returncode}){sending}"
                                   f"{_first_error(log)}{_tail(log)}")  # fmt: skip
            if now - launched > 300 and not feeder.go.is_set():
                raise RuntimeError(f"no window from the Spark job after 300 s{_tail(log)}")
            _read_records(sink, records, seen, feeder.probes)
            caught_up = any(
                r["metric"] == "url" and r["written_at"] - r["batch_time"] < 1 for r in records
            )
            if not feeder.go.is_set() and feeder.connected.is_set() and caught_up:
                startup = now - launched
                feeder.go.set()
            elapsed = now - feeder.start_time if feeder.start_time else -1.0
            if now >= next_sample:
                cpu_secs, rss, procs = tree_usage(job.pid)
                rss_max, procs_max = max(rss_max, rss), max(procs_max, procs)
                if elapsed >= fill and (
                    len(cpu) < 2 or cpu[-1][0] - feeder.start_time < fill + secs
                ):
                    cpu.append((now, cpu_secs, machine_busy()))
                next_sample = now + 0.5
            if elapsed >= fill + secs and (
                _counted(records, feeder, seen) or elapsed > fill + secs + 60
            ):
                break
            time.sleep(0.02)
    finally:
        stop(job)
        feeder.done.set()
        feeder.go.set()
        feeder.server.close()
    return _figures(rate, secs, feeder, records, seen, cpu, rss_max, procs_max, startup)


def _counted(records: list[dict[str, Any]], feeder: Feeder, seen: list[float]) -> bool:
    """Whether the job has caught up with the traffic: every probe seen, and a URL window
    ending after the last line (a window not yet full counts every line sent)."""
    ended = _wall(feeder.start_time) + feeder.fill + feeder.secs
    urls = [r for r in records if r["metric"] == "url"]
    if len(seen) < len(feeder.probes) or not urls or urls[-1]["batch_time"] < ended:
        return False
    return feeder.fill + feeder.secs >= urls[-1]["window_secs"] or urls[-1]["total"] >= (
        feeder.written + len(feeder.probes)
    )


def _wall(monotonic: float) -> float:
    """A time.monotonic() instant on the wall clock."""
    return time.time() - (time.monotonic() - monotonic)


def _first_error(log: Path) -> str:
    """Why the job died, as ": <line>": its log's first OutOfMemoryError, else its first
    ERROR line ("" if neither)."""
    lines = log.read_text(errors="replace").splitlines()
    for mark in ("OutOfMemoryError", " ERROR "):
        found = next((line.strip() for line in lines if mark in line), None)
        if found:
            return f": {found[:200]}"
    return ""


def _tail(log: Path) -> str:
    lines = log.read_text(errors="replace").splitlines()[-30:]
    return "\n--- last lines of the job's log ---\n" + "\n".join(lines)


def stop(job: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the job (it stops Spark); after 60 s, SIGKILL to its whole tree."""
    job.send_signal(signal.SIGTERM)
    try:
        job.wait(60)
    except subprocess.TimeoutExpired:
        for pid in reversed(list(process_tree(job.pid))):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        job.wait()


def _read_records(
    sink: JsonLinesFollower, records: list[dict[str, Any]], seen: list[float], probes: list[float]
) -> None:
    """New records of the job's output; a probe is seen by the first status window whose
    599 count reaches it."""
    for record in sink.read():
        records.append(record)
        if record["metric"] == "status":
            counted = dict(record["top"]).get("599", 0)
            while len(seen) < min(counted, len(probes)):
                seen.append(time.monotonic())


def _figures(
    rate: int,
    secs: int,
    feeder: Feeder,
    records: list[dict[str, Any]],
    seen: list[float],
    cpu: list[tuple[float, float, float]],
    rss_max: int,
    procs_max: int,
    startup: float,
) -> dict[str, Any]:
    latencies = sorted(s - p for p, s in zip(feeder.probes, seen, strict=False))
    url = [r for r in records if r["metric"] == "url"]
    start = _wall(feeder.start_time) + feeder.fill  # the measured seconds, on the wall clock
    end = start + secs
    window_full = url[-1]["batch_time"] - _wall(feeder.start_time) >= url[-1]["window_secs"]
    batches = [r for r in records if r["metric"] == "batch" and r["batch_time"] >= start]
    completed = (r for r in records if r["metric"] == "batch" and start <= r["written_at"] < end)
    processed_rate = sum(b["records"] for b in completed) / secs
    last10 = [b["scheduling_delay"] for b in batches if end - 10 <= b["batch_time"] < end]
    lags = sorted(r["written_at"] - r["batch_time"] for r in url if r["batch_time"] >= start)
    written = feeder.written + len(feeder.probes)
    return {
        "rate": rate,
        "secs": secs,
        "spark": pyspark.__version__,
        "startup_secs": round(startup, 1),
        "written": written,
        "fill": feeder.fill,
        "window_full": window_full,
        "written_rate": written / (feeder.fill + secs),
        "processed": url[-1]["total"],
        "processed_rate": processed_rate,
        "kept_up": processed_rate >= 0.95 * rate and bool(last10) and max(last10) < 2.0,
        "scheduling_delay_last10s_max": max(last10, default=float("nan")),
        "scheduling_delay_max": max((b["scheduling_delay"] for b in batches), default=0.0),
        # none when the job fell so far behind that no batch of the measured seconds ran
        "processing_delay_p50": statistics.median([b["processing_delay"] for b in batches])
        if batches
        else float("nan"),
        "output_lag_p50": statistics.median(lags) if lags else float("nan"),
        "output_lag_max": lags[-1] if lags else float("nan"),
        "latency_p50": statistics.median(latencies) if latencies else float("nan"),
        "latency_p99": _percentile(latencies, 0.99),
        "probes_seen": len(seen),
        "probes_sent": len(feeder.probes),
        "latencies": [round(x, 3) for x in latencies],
        "rss_max_mb": rss_max / 2**20,
        "processes_max": procs_max,
        "cpu_cores": (cpu[-1][1] - cpu[0][1]) / (cpu[-1][0] - cpu[0][0]),
        "machine_busy_cores": (cpu[-1][2] - cpu[0][2]) / (cpu[-1][0] - cpu[0][0]),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rate", type=int, nargs="+", default=[100], help="lines/s; one run each")
    ap.add_argument("--secs", type=int, default=60, help="seconds measured per rate")
    ap.add_argument("--fill", type=int, default=0, help="seconds of traffic before measuring "
                    "(300: the 300 s window is full when measuring starts)")  # fmt: skip
    ap.add_argument("--json", type=Path, help="write the rows here")
    ap.add_argument("--keep", action="store_true", help="keep each run's folder (job log)")
    ap.add_argument("--job", nargs=4, help=argparse.SUPPRESS)  # port out workdir status-slide
    args = ap.parse_args()
    if args.job:
        port, out, workdir, slide = args.job
        run_job(int(port), Path(out), Path(workdir), int(slide))
        return
    rows: list[dict[str, Any]] = []
    for rate in args.rate:
        workdir = Path(tempfile.mkdtemp(prefix="spark-peer-"))
        try:
            r = measure(rate, args.secs, workdir, args.fill)
        except RuntimeError as e:  # the job died or never got warm: say so, go on
            print(f"spark peer: {rate:,} lines/s failed: {e}", file=sys.stderr, flush=True)
            r = {"rate": rate, "secs": args.secs, "error": str(e).splitlines()[0]}
        finally:
            if not args.keep:
                shutil.rmtree(workdir, ignore_errors=True)
        r["workdir"] = str(workdir) if args.keep else None
        rows.append(r)
        if "error" not in r:
            print(summary(r), flush=True)
        if args.json:
            args.json.write_text(json.dumps({"rows": rows}, indent=1) + "\n")
    sys.exit(1 if any("error" in r for r in rows) else 0)


def summary(r: dict[str, Any]) -> str:
    """One line per rate."""
    return (
        f"spark peer {r['spark']}: {r['rate']:,} lines/s for {r['fill']} + {r['secs']} s "
        f"(window full: {'yes' if r['window_full'] else 'no'}): "
        f"written {r['written_rate']:,.0f}/s, processed {r['processed_rate']:,.0f}/s, "
        f"kept up {'yes' if r['kept_up'] else 'no'} (scheduling delay max "
        f"{r['scheduling_delay_max']:.2f} s), latency p50 {r['latency_p50']:.2f} s "
        f"p99 {r['latency_p99']:.2f} s ({r['probes_seen']}/{r['probes_sent']} probes), "
        f"RSS max {r['rss_max_mb']:,.0f} MB ({r['processes_max']} processes), "
        f"CPU {r['cpu_cores']:.2f} cores (machine busy {r['machine_busy_cores']:.2f})"
    )


if __name__ == "__main__":
    main()
