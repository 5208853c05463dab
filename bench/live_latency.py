"""End-to-end rate and latency of the logs topology on `sparse run`, fed live.

    .venv/bin/python bench/live_latency.py [--rates 1000 4000] [--secs 60] [--inputs files kafka]

For each rate, a fresh `sparse run -n logs` (real Storm LocalCluster, local
parallelism) tails a temp folder while this script appends generated traffic at
that rate. About once a second, at random phases of the slide, it also appends a
probe line with status 599; a probe's latency is the time from its write to the
first status window in the JSONL sink that counts it (status windows slide every
second here, as URL windows do by default). "Counted" is the rate at which the URL
window's total grew; "kept up" means it grew at 95% or more of the written rate.

With ``--inputs files kafka`` each rate runs twice: the spout tailing the folder, and
Kafka in front, the production chain: the shipper (``logstorm.shipping.shipper``, a
separate process) tails the same kind of folder into a fresh 3-partition topic of the
project's broker, and the spout reads it (``logstorm.input.kind=kafka``, one task).
The spout's lag is then the consumer group's (end offsets minus committed offsets).
With ``--states dir kafka`` each of those runs once with the window state in a folder
(the default) and once in Kafka (``logstorm.state.backend=kafka``: compacted topics,
the windows topic written in transactions); both produce the windows to a fresh topic,
so the difference is what the Kafka state and its transactions cost.
Writes its table to BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import itertools
import json
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KAFKA = [sys.executable, str(ROOT / "tools" / "kafka")]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "bench")]

from bench_topics import BROKER, make_topic  # noqa: E402
from parse_rate import write_section  # noqa: E402
from reference import generated, reference_figures  # noqa: E402
from sparse_run import SparseRun, wait_for  # noqa: E402

from logstorm.jsonl_follow import JsonLinesFollower  # noqa: E402

PROBE = '10.9.9.9 - - [{t}] "GET /probe HTTP/1.1" 599 1 "-" "probe"'


def started_here(tool: list[str]) -> bool:
    """Run ``tool up`` (tools/kafka, tools/cluster); whether it started the service,
    rather than finding it already running."""
    up = subprocess.run([*tool, "up"], capture_output=True, text=True)
    print(up.stdout, end="", flush=True)
    if up.returncode != 0:
        raise SystemExit(f"{' '.join(tool[1:])} up failed:\n{up.stderr}")
    return "already running" not in up.stdout


def machine() -> str:
    """Cores and memory of this machine, for the tables."""
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"Machine: {platform.machine()}, {os.cpu_count()} cores, {mem:.0f} GiB RAM"


def _clf_time(epoch: float) -> str:
    return time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(epoch))


def session_procs(sid: int) -> list[Path]:
    """/proc entries of the processes of session sid (sparse, the JVM, Python workers)."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and int(_stat(proc)[3]) == sid:
                found.append(proc)
        except (OSError, IndexError, ValueError):
            continue
    return found


def _stat(proc: Path) -> list[str]:
    """Fields of /proc/PID/stat after the command name (so field 0 is the state)."""
    return (proc / "stat").read_text().rsplit(")", 1)[1].split()


def cpu_secs(procs: list[Path]) -> float:
    """User + system CPU seconds used so far by these processes."""
    total = 0
    for proc in procs:
        try:
            fields = _stat(proc)
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            continue
    return total / os.sysconf("SC_CLK_TCK")


def rss_mib(procs: list[Path]) -> float:
    """Resident memory of these processes together, MiB."""
    total = 0
    for proc in procs:
        try:
            for line in (proc / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


SPOUT_STATS = re.compile(r"logfiles: last .*complete latency p50 (\d+) ms p99 (\d+) ms")


class FileLag:
    """Lines written but not yet committed by the file spout (its position file)."""

    def __init__(self, inbox: Path) -> None:
        self.positions = inbox / ".logstorm-positions.json"

    def lines(self, written: int, written_bytes: int) -> float | None:
        with contextlib.suppress(OSError, ValueError, KeyError):
            files = json.loads(self.positions.read_text())["files"].values()
            return (written_bytes - sum(f["offset"] for f in files)) / (written_bytes / written)
        return None


class KafkaLag:
    """Records in the topic not yet committed by the topology's consumer group."""

    def __init__(self, topic: str, group: str) -> None:
        from confluent_kafka import Consumer, TopicPartition

        # Quiet (log_level 2: critical only): a broker away is a fault of bench/faults.py,
        # reported there, not a line on stderr every 50 ms.
        self.consumer = Consumer({"bootstrap.servers": BROKER, "group.id": group,
                                  "log_level": 2})  # fmt: skip
        self.partitions = [TopicPartition(topic, p) for p in range(3)]
        self.max_records = 0

    def lines(self, written: int, written_bytes: int) -> float | None:
        try:
            committed = self.consumer.committed(self.partitions, timeout=5)
            ends = [self.consumer.get_watermark_offsets(tp, timeout=5)[1] for tp in committed]
        except Exception:  # KafkaException: not answering this second
            return None
        lag = sum(end - max(tp.offset, 0) for tp, end in zip(committed, ends, strict=True))
        self.max_records = max(self.max_records, lag)
        return lag


@contextlib.contextmanager
def kafka_input(
    inbox: Path, workdir: Path
) -> Iterator[tuple[dict[str, object], KafkaLag, list[Path]]]:
    """A fresh topic, the shipper tailing inbox into it, the spout's options, and the
    processes that feed the topology its lines (the shipper and the broker)."""
    topic = f"bench-{os.getpid()}-{int(time.time())}"
    made = make_topic(topic, 3)
    if made.returncode:
        sys.exit(f"bench: no topic {topic}: {made.stdout}{made.stderr}")
    with open(workdir / "shipper.log", "ab") as log:
        shipper = subprocess.Popen(
            [sys.executable, "-m", "logstorm.shipping.shipper", "--dir", str(inbox),
             "--topic", topic, "--servers", BROKER], stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    group = f"bench-{topic}"
    options = {"logstorm.input.kind": "kafka", "logstorm.input.kafka.topic": topic,
               "logstorm.input.kafka.group": group,
               "logstorm.input.kafka.servers": BROKER}  # fmt: skip
    try:
        yield options, KafkaLag(topic, group), [Path(f"/proc/{shipper.pid}"), *broker_procs()]
    finally:
        shipper.terminate()
        shipper.wait(timeout=30)


def broker_procs() -> list[Path]:
    """/proc entries of the project's Kafka broker (tools/kafka's, under run/kafka)."""
    mark = f"-Dkafka.logs.dir={ROOT / 'run' / 'kafka'}".encode()
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and mark in (proc / "cmdline").read_bytes():
                found.append(proc)
        except OSError:
            continue
    return found


def state_options(state: str, compared: list[str]) -> dict[str, object]:
    """The options of a run with this state backend; when Kafka state is compared, every
    run produces its windows to a fresh topic (transactional with Kafka state)."""
    options: dict[str, object] = {"logstorm.state.backend": state}
    if state == "kafka":
        options["logstorm.state.kafka.servers"] = BROKER
    if "kafka" in compared:
        topic = f"bench-windows-{os.getpid()}-{time.time_ns()}"
        made = make_topic(topic, 1)
        if made.returncode:
            sys.exit(f"bench: no topic {topic}: {made.stdout}{made.stderr}")
        options["logstorm.output.kafka.topic"] = topic
        options["logstorm.output.kafka.servers"] = BROKER
    return options


def measure(rate: int, secs: int, fill: int, workdir: Path, extra: dict[str, str],
            pool: list[bytes], source: str = "files") -> dict:  # fmt: skip
    """Feed the topology `rate` lines/s: `fill` seconds to fill the window, then `secs`
    seconds measured (probes, CPU, memory, spout lag)."""
    inbox = workdir / "in"
    inbox.mkdir()
    with contextlib.ExitStack() as stack:
        feeders = [Path(f"/proc/{os.getpid()}")]  # this script writes the traffic
        if source == "kafka":
            kafka_options, lag_of, feeding = stack.enter_context(kafka_input(inbox, workdir))
            feeders += feeding
        else:
            kafka_options, lag_of = {}, FileLag(inbox)
        row = _measure(rate, secs, fill, workdir, {**kafka_options, **extra}, pool, lag_of,
                       feeders)  # fmt: skip
    row["input"] = source
    row["lag_max_records"] = getattr(lag_of, "max_records", None)
    return row


def _measure(rate: int, secs: int, fill: int, workdir: Path, extra: dict[str, object],
             pool: list[bytes], lag_of: FileLag | KafkaLag,
             feeders: list[Path]) -> dict:  # fmt: skip
    inbox, sink = workdir / "in", workdir / "windows.jsonl"
    options = {
        "logstorm.input.path": inbox,
        "logstorm.output.path": sink,
        "logstorm.errors.path": workdir / "errors.jsonl",
        "logstorm.console": "false",
        "logstorm.window.status.slide.secs": 1,
        **extra,
    }
    probes: list[float] = []
    seen: list[float] = []
    written = written_bytes = 0
    follower = JsonLinesFollower(sink)
    cpu_start = cpu = rss_max = lag_max = feed_start = feed = 0.0
    log_mark = 0
    with SparseRun("logs", workdir / "run.log", options) as run, open(inbox / "a.log", "ab") as log:
        wait_for(lambda: sink.exists() and sink.stat().st_size, 300, "a first window", run.log)
        procs = session_procs(run.proc.pid)
        start = time.monotonic()
        measuring = False
        stopped: float | None = None
        next_probe = next_sample = start + fill
        windows: list[dict] = []
        while True:
            now = time.monotonic()
            elapsed = now - start
            if not measuring and elapsed >= fill:
                measuring, cpu_start, feed_start = True, cpu_secs(procs), cpu_secs(feeders)
                log_mark = len(run.output().splitlines())
                windows.clear()
            if elapsed >= fill + secs and stopped is None:
                stopped = time.time()  # windows ending later hold seconds without traffic
                cpu = (cpu_secs(procs) - cpu_start) / secs
                feed = (cpu_secs(feeders) - feed_start) / secs
            if elapsed < fill + secs:
                due = int(elapsed * rate) - written
                if due > 0:
                    data = b"".join(pool[(written + i) % len(pool)] for i in range(due))
                    log.write(data)
                    written += due
                    written_bytes += len(data)
                if measuring and now >= next_probe:
                    probe = PROBE.format(t=_clf_time(time.time())) + "\n"
                    log.write(probe.encode())
                    written_bytes += len(probe)
                    probes.append(time.monotonic())
                    next_probe += random.uniform(0.5, 1.5)  # any phase of the slide
                log.flush()
                if measuring and written and now >= next_sample:
                    rss_max = max(rss_max, rss_mib(procs))
                    lag = lag_of.lines(written, written_bytes)
                    lag_max = max(lag_max, lag or 0)
                    next_sample = now + 1.0
            for w in follower.read():
                windows.append(w)
                if w["metric"] == "status" and measuring:
                    counted = dict(w["top"]).get("599", 0)
                    while len(seen) < min(counted, len(probes)):
                        seen.append(time.monotonic())
            url_totals = [w["total"] for w in windows if w["metric"] == "url"]
            if elapsed >= fill + secs and (
                (url_totals and len(seen) >= len(probes)) or elapsed > fill + secs + 30
            ):
                break
            time.sleep(0.02)
        run.interrupt()
        wait_for(lambda: not run.group_alive(), 60, "sparse run to stop", run.log)
        spout_lines = run.output().splitlines()[log_mark:]
    latencies = sorted(s - p for p, s in zip(probes, seen, strict=False))
    url = [w for w in windows if w["metric"] == "url"]
    ends = [w["window_end"] for w in url]
    gaps = [b - a for a, b in itertools.pairwise(ends)]
    first = url[0]
    last = [w for w in url if stopped is None or w["window_end"] <= stopped][-1]
    span = max(1, last["window_end"] - first["window_end"])
    window = last["window_secs"]
    # With the window full its total is the lines of the last 300 s; before, the growth.
    if window >= 300:
        counted_rate = last["total"] / window
    else:
        counted_rate = (last["total"] - first["total"]) / span
    complete = [tuple(map(int, m.groups())) for m in map(SPOUT_STATS.search, spout_lines) if m]
    return {
        "rate": rate,
        "counted_rate": counted_rate,
        "window_full": window >= 300,
        "max_gap": max(gaps, default=0),
        "lag_max_secs": lag_max / rate,
        "p50": statistics.median(latencies) if latencies else float("nan"),
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
        if latencies
        else float("nan"),
        "probes": f"{len(seen)}/{len(probes)}",
        "complete_p50_ms": statistics.median(c[0] for c in complete) if complete else None,
        "complete_p99_ms": max(c[1] for c in complete) if complete else None,
        "rss_mib": rss_max,
        "cpu_cores": cpu,
        "feed_cores": feed,
    }


SPARK_HEAD = [
    "### The peer in the same run: the course's Spark DStream job at the same rates",
    "",
    "| written lines/s | Spark processed lines/s | window full | kept up "
    "| latency p50 / p99 (s) | RSS (MiB) | CPU (cores) | CPU-s per million lines "
    "| logstorm / Spark: lines/s | p99 latency | RSS | CPU per line |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|",
]
SPARK_NOTE = (
    "Spark: `bench/spark_peer.py` (pyspark in `.cache/bench-venv`, `tools/bench-venv`), "
    "the course's `reduceByKeyAndWindow(add, sub, 300, 1)` / `(…, 300, 5)` job, local[2], "
    "1 s batches, tuned (blockInterval 1000 ms, default.parallelism 1), fed the same "
    "generator's traffic on a 127.0.0.1 socket per rate for {fill} s, then {secs} s "
    "measured (with the window full, the processed rate is the last URL window's total "
    "over its 300 s, as for logstorm). Kept up: processed >= 95% of written and "
    "scheduling delay under 2 s over its last 10 s. Same probe method. CPU per line: "
    "CPU-seconds per million lines counted. Ratios > 1 favour logstorm for lines/s, "
    "< 1 for latency, RSS and CPU per line."
)


def spark_peer(rate: int, secs: int, fill: int) -> dict:
    """One run of the Spark peer at rate, secs measured after fill (installs its venv on
    first use)."""
    python = subprocess.run(
        [str(ROOT / "tools" / "bench-venv")], check=True, capture_output=True, text=True
    ).stdout.strip()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "spark.json"
        # exit status 1 when the job died: its row then says why, and the table shows it
        subprocess.run(
            [python, str(ROOT / "bench" / "spark_peer.py"), "--rate", str(rate), "--secs",
             str(secs), "--fill", str(fill), "--json", str(out)], check=False, cwd=ROOT,
        )  # fmt: skip
        return json.loads(out.read_text())["rows"][0]


def spark_row(ours: dict, spark: dict) -> str:
    """A table row: Spark's figures at a rate, and logstorm's over Spark's (or why the
    Spark job has none)."""
    if "error" in spark:
        return f"| {spark['rate']:,} | {spark['error'].replace('|', '/')} |" + " |" * 10
    ours_per_line = ours["cpu_cores"] / ours["counted_rate"] * 1e6
    spark_per_line = spark["cpu_cores"] / spark["processed_rate"] * 1e6
    return (
        f"| {spark['rate']:,} | {spark['processed_rate']:,.0f} "
        f"| {'yes' if spark['window_full'] else 'no'} | {'yes' if spark['kept_up'] else 'no'} "
        f"| {spark['latency_p50']:.2f} / {spark['latency_p99']:.2f} "
        f"| {spark['rss_max_mb']:,.0f} | {spark['cpu_cores']:.2f} | {spark_per_line:.1f} "
        f"| {ours['counted_rate'] / spark['processed_rate']:.2f}x "
        f"| {ours['p99'] / spark['latency_p99']:.2f}x "
        f"| {ours['rss_mib'] / spark['rss_max_mb']:.2f}x "
        f"| {ours_per_line / spark_per_line:.2f}x |"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rates", type=int, nargs="+", default=[1000, 4000])
    ap.add_argument("--secs", type=int, nargs="+", default=[60],
                    help="seconds measured, per rate (one value: for every rate)")  # fmt: skip
    ap.add_argument("--fill", type=int, nargs="+", default=[0], help="seconds of traffic "
                    "before measuring, per rate (300: the 300 s window is full when "
                    "measuring starts; one value: for every rate)")  # fmt: skip
    ap.add_argument("--spark-secs", type=int, default=0, help="also run the Spark DStream "
                    "peer (bench/spark_peer.py), this many seconds measured; 0: no")  # fmt: skip
    ap.add_argument("--spark-fill", type=int, default=300, help="Spark's seconds of traffic "
                    "before measuring (300: its window full)")  # fmt: skip
    ap.add_argument("--spark-rates", type=int, nargs="+", help="the rates Spark runs at "
                    "(default: every rate)")  # fmt: skip
    ap.add_argument("-o", dest="options", action="append", default=[], help="extra key=value")
    ap.add_argument("--inputs", nargs="+", choices=["files", "kafka"], default=["files"],
                    help="the spout's input, each rate run once per input")  # fmt: skip
    ap.add_argument("--states", nargs="+", choices=["dir", "kafka"], default=["dir"],
                    help="the window state's backend, each run once per backend")  # fmt: skip
    ap.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md", help="markdown to update")
    args = ap.parse_args()
    extra = dict(o.split("=", 1) for o in args.options)
    reference = reference_figures()  # the peer, in this same run
    print(f"reference: {reference}", flush=True)
    pool = [(line + "\n").encode() for line in generated(200_000)]
    rows, spark_rows = [], []
    secs = dict(zip(args.rates, args.secs * len(args.rates), strict=False))
    fill = dict(zip(args.rates, args.fill * len(args.rates), strict=False))
    if ("kafka" in args.inputs or "kafka" in args.states) and started_here(KAFKA):
        # leave the machine as found: a broker left on 9092 would stand in others' way
        atexit.register(subprocess.run, [*KAFKA, "down"])
    runs = []
    for rate in args.rates:
        for source, state in itertools.product(args.inputs, args.states):
            with tempfile.TemporaryDirectory() as tmp:
                options = {**extra, **state_options(state, args.states)}
                runs.append(measure(rate, secs[rate], fill[rate], Path(tmp), options, pool, source))
            runs[-1]["state"] = state
            print(runs[-1], flush=True)
        if args.spark_secs and rate in (args.spark_rates or args.rates):
            spark = spark_peer(rate, args.spark_secs, args.spark_fill)
            spark_rows.append(spark_row(runs[-len(args.inputs) * len(args.states)], spark))
    for r in runs:
        kept = r["counted_rate"] >= 0.95 * r["rate"] and r["max_gap"] <= 2 and r["lag_max_secs"] < 5
        complete = "n/a" if r["complete_p50_ms"] is None else (
            f"{r['complete_p50_ms']:.0f} / {r['complete_p99_ms']:.0f}")  # fmt: skip
        rows.append(
            f"| {r['input']} | {r['state']} | {r['rate']:,} | {r['counted_rate']:,.0f} "
            f"| {'yes' if r['window_full'] else 'no'} "
            f"| {'yes' if kept else 'no'} | {r['lag_max_secs']:.1f} | {r['p50']:.2f} "
            f"| {r['p99']:.2f} | {complete} | {r['rss_mib']:,.0f} | {r['cpu_cores']:.2f} "
            f"| {r['cpu_cores'] / r['counted_rate'] * 1e6:.1f} "
            f"| {r['cpu_cores'] / r['counted_rate'] * 1e6 / reference['cpu_per_million']:.1f}x "
            f"| {r['feed_cores']:.2f} | {r['probes']} |"
        )
    spark_flag = f" --spark-secs {args.spark_secs}" if args.spark_secs else ""
    if args.spark_secs and args.spark_fill != 300:
        spark_flag += f" --spark-fill {args.spark_fill}"
    if args.spark_secs and args.spark_rates:
        spark_flag += f" --spark-rates {' '.join(map(str, args.spark_rates))}"
    table = "\n".join(
        [
            f"## Logs topology on `sparse run`, live traffic — {date.today()}",
            "",
            f"{machine()}. Real Storm LocalCluster, `local` parallelism (spout 1, parse 2, "
            f"url 2, status 2). Per rate, {' / '.join(str(fill[r]) for r in args.rates)} s "
            f"of traffic, then {' / '.join(str(secs[r]) for r in args.rates)} s measured. "
            "Command: "
            f"`.venv/bin/python bench/live_latency.py --rates "
            f"{' '.join(map(str, args.rates))} --secs {' '.join(map(str, args.secs))} "
            f"--fill {' '.join(map(str, args.fill))} --inputs {' '.join(args.inputs)} "
            f"--states {' '.join(args.states)}{spark_flag}"
            f"{''.join(' -o ' + o for o in args.options)}`. One run per rate.",
            "",
            "| input | state | written lines/s | counted lines/s | window full | kept up "
            "| max spout lag (s) | latency p50 (s) | p99 (s) | complete latency p50 / p99 (ms) "
            "| RSS (MiB) | CPU (cores) | CPU-s per million lines "
            "| CPU per line / reference's | feed CPU (cores) | probes seen |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
            *rows,
            "",
            f"Peer in the same run: the reference (`bench/reference.py`: the same windows "
            f"and top-10s in one plain Python process, as fast as it can be written) ran at "
            f"{reference['rate']:,.0f} lines/s, {reference['cpu_per_million']:.2f} CPU-s "
            "per million lines.",
            "",
            "Kept up: counted >= 95% of written, a URL window every second, and the spout "
            "never more than 5 s of input behind (written bytes - committed offset). "
            "Latency: probe line appended -> first status window (1 s slide) in the JSONL "
            "sink that counts it, including the wait for the slide to end (0-1 s). Complete "
            "latency: chunk emitted -> tuple tree acked, from the spout's log line every "
            "10 s (median of the p50s, max of the p99s). RSS: all processes of the run "
            "(sparse, the Storm JVM, every Python component), max of 1 s samples. CPU: "
            "their user + system time over the measured seconds; per million lines "
            "counted. Feed CPU: the processes that bring the lines and are not the "
            "topology, on the same cores: this script's writer and, for Kafka, the shipper "
            "and the broker (on a cluster they run on the web servers and Kafka's hosts).",
        ]
    )
    if spark_rows:
        table += "\n".join(["", "", *SPARK_HEAD, *spark_rows, "", SPARK_NOTE.format(
            fill=args.spark_fill, secs=args.spark_secs)])  # fmt: skip
    print(table)
    inputs = "" if args.inputs == ["files"] else "-" + "-".join(args.inputs)
    states = "" if args.states == ["dir"] else "-states-" + "-".join(args.states)
    section = "live-latency" + inputs + states + "".join("-" + o for o in args.options)
    write_section(args.out, section, table)


if __name__ == "__main__":
    main()
