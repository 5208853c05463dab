"""WordCount on `storm local`: the Python topology vs storm-starter's Java topologies.

    .venv/bin/python bench/wordcount_peers.py [--secs 60] [--warmup 15] [--rounds 1]
        [--pending 1000] [--unreliable] [--logs run/wordcount-peers] [--out BENCHMARKS.md]

One invocation runs all three, one after the other, on the same Storm home
(LocalCluster, one worker, one acker), with the same parallelism (the `local`
environment of topologies/wordcount.py: spout 1, split 2, count 2) and the same
configuration (the project's Storm settings from config.json's `local` environment
included):

- Python: `sparse run -n wordcount` (spout, split and count in Python, speaking the
  serializer config.json names).
- Java: storm-starter 1.2.2's own SplitSentence (a ShellBolt running its
  splitsentence.py with its storm.py, under the venv's `python`, on Storm's JSON
  serializer) and WordCount (Java) bolts, fed by our Java spout of the same five
  sentences (bench/java-wordcount/).
- Java, all of it: storm-starter 1.2.2's FastWordCountTopology (its spout, split and
  count, no multilang): the ceiling of Storm itself. Its spout always emits with
  message ids and draws from five longer sentences (10.6 words on average, against
  6.4), so compare words, not sentences.

Neither spout pauses. By default both emit with message ids and
topology.max.spout.pending bounds the sentences in flight (--unreliable: no ids, as
storm-starter's spout; then nothing is acked at the spout). Failed sentences are
not sent again by either.

Figures come from Storm itself: LoggingMetricsConsumer logs each task's v2 metrics
(topology.enable.v2.metrics.tick) every second on the `storm local` console; the
rates are counter differences over the --secs after the --warmup, and the complete
latency is the mean of the spout's `__complete-latency` samples (each the mean of
its last three acked sentences) in that window. Storm samples 5% of tuples for
these metrics (topology.stats.sample.rate 0.05, the default: at 1.0 every sampled
execute recomputes the executor's capacity, which costs more than a WordCount bolt),
so counts are estimates (over a minute, within about 1% for words and 2% for
sentences). CPU is the CPU time of the run's processes (JVM and Python) in the
window, in cores. Builds the Java peer's jar first if needed (Maven, .cache/m2).
Writes its section into the --out markdown file; each run's console is kept in --logs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import signal
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]  # topologies/, and bench/ run as a module

from parse_rate import write_section  # noqa: E402

from streamparse_storm2 import storm_home, storm_version  # noqa: E402

STORM = storm_home() / "bin" / "storm"
STORM_VERSION = storm_home().name.removeprefix("apache-storm-")
VENV_BIN = ROOT / ".venv" / "bin"
JAVA_DIR = ROOT / "bench" / "java-wordcount"
JAR = ROOT / ".cache" / "java-wordcount" / "logstorm-java-wordcount.jar"
M2 = ROOT / ".cache" / "m2"
TICK_SECS = 1  # metrics interval
PYTHON, JAVA = "Python (streamparse)", "Java (storm-starter bolts)"
FAST = "all Java (storm-starter FastWordCountTopology)"
DEFAULT_PENDING = 1000  # topology.max.spout.pending of reliable runs

# Metrics we read; LoggingMetricsConsumer cuts names to 23 characters.
WHITELIST = [
    "^__(ack|fail|execute)-count-(default|split:default)$",
    "^__complete-latency-default$",
]
COUNTED, COUNT_ACKED = "__execute-count-split:default", "__ack-count-split:default"
ACKED, FAILED, LATENCY = "__ack-count-default", "__fail-count-default", "__complete-latency-default"
METRIC_LINE = re.compile(
    r"LoggingMetricsConsumer \[[^\]]*\] (\d+)\t[^\t]*\t\s*(-?\d+):(\S+)\s*\t([^\t]*)\t(\S+)\s*$"
)


def build_java_jar() -> float:
    """Build the Java peer's jar when missing or older than its sources; seconds spent.

    Downloads (storm-starter, Maven plugins) go to .cache/m2; offline first, so a warm
    cache never touches the network.
    """
    sources = [ROOT / "project.clj", JAVA_DIR / "pom.xml", *JAVA_DIR.rglob("*.java")]
    if JAR.exists() and JAR.stat().st_mtime >= max(p.stat().st_mtime for p in sources):
        return 0.0
    start = time.monotonic()
    mvn = ["mvn", "-q", "-B", f"-Dmaven.repo.local={M2}", f"-Dstorm.version={storm_version()}",
           "-f", str(JAVA_DIR / "pom.xml")]  # fmt: skip
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    if subprocess.run([*mvn, "-o", "package"], check=False, **quiet).returncode:
        subprocess.run([*mvn, "package"], check=True)
    return time.monotonic() - start


def local_parallelism() -> tuple[int, int, int]:
    """Tasks of spout, split and count in the Python topology's `local` environment."""
    from topologies.wordcount import WordCount

    par = {spec.name: spec.par["local"] for spec in WordCount.specs}
    return par["spout"], par["split"], par["count"]


def project_config() -> dict:
    """config.json: the serializer and the Storm settings `sparse run` applies."""
    return json.loads((ROOT / "config.json").read_text())


def topology_conf(reliable: bool, pending: int) -> dict[str, object]:
    """Storm configuration given to every topology: the project's (config.json's `local`
    environment, as `sparse run` applies it) and the benchmark's."""
    project = project_config()["envs"]["local"]["options"]
    conf: dict[str, object] = {
        **project,
        "topology.workers": 1,
        "topology.acker.executors": 1,
        "topology.enable.v2.metrics.tick": True,
        "topology.v2.metrics.tick.interval.seconds": TICK_SECS,
        "topology.metrics.consumer.register": [
            {
                "class": "org.apache.storm.metric.LoggingMetricsConsumer",
                "parallelism.hint": 1,
                "whitelist": WHITELIST,
            }
        ],
        "wordcount.reliable": reliable,
    }
    if reliable:
        conf["topology.max.spout.pending"] = pending
    return conf


@dataclass
class Result:
    name: str
    counted: float  # words/s executed by the count bolt
    count_acked: float  # words/s acked by the count bolt
    acked: float | None  # sentences/s acked at the spout (complete tuple trees)
    failed: float | None  # sentences/s failed at the spout
    latency_ms: float | None  # mean complete latency
    cpu_cores: float  # CPU time of the run's processes / wall time, in the window
    load: tuple[float, float]  # 1-minute load average at the window's start and end


class Run:
    """A command in its own process group, output to a log, stopped like Ctrl-C."""

    def __init__(self, argv: list[str], log: Path) -> None:
        env = {**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}"}
        with open(log, "wb") as out:
            self.proc = subprocess.Popen(
                argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
                # Ctrl-C must stop it even if this script runs with SIGINT ignored (`cmd &`)
                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
            )  # fmt: skip
        self.log = log
        self.offset = 0
        # (component, metric name cut to 23 characters) -> task -> [(tick second, value)]
        self.series: dict[tuple[str, str], dict[str, list[tuple[int, float]]]] = defaultdict(
            lambda: defaultdict(list)
        )

    def read_metrics(self) -> None:
        """Parse the metric lines logged since the last call."""
        with open(self.log, "rb") as fh:
            fh.seek(self.offset)
            chunk = fh.read()
        complete = chunk[: chunk.rfind(b"\n") + 1]
        self.offset += len(complete)
        for line in complete.decode(errors="replace").splitlines():
            m = METRIC_LINE.search(line)
            if m:
                ts, task, component, name, value = m.groups()
                self.series[component, name.strip()][task].append((int(ts), float(value)))

    def last_tick(self, component: str, metric: str) -> int | None:
        """Latest tick timestamp of a metric over the component's tasks."""
        tasks = self.series.get((component, metric[:23]), {})
        return max((s[-1][0] for s in tasks.values()), default=None)

    def cpu_secs(self) -> float:
        """CPU seconds used so far by the live processes of the group."""
        tick, total = os.sysconf("SC_CLK_TCK"), 0
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == self.proc.pid:  # process group
                total += int(fields[11]) + int(fields[12])  # utime + stime
        return total / tick

    def stop(self) -> None:
        """SIGINT to the whole group (as Ctrl-C), SIGKILL if it lingers."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            self.proc.poll()
            try:
                os.killpg(self.proc.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.5)
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()


def measure(name: str, argv: list[str], log: Path, warmup: int, secs: int) -> Result:
    """Run a topology; return its rates over secs after warmup from its metrics."""
    run = Run(argv, log)
    try:
        deadline = time.monotonic() + 300
        while run.last_tick("count", COUNTED) is None:  # first word counted
            if run.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{name}: no metrics from the count bolt; see {log}")
            time.sleep(0.5)
            run.read_metrics()
        time.sleep(warmup)
        run.read_metrics()
        start = run.last_tick("count", COUNTED)
        cpu0, wall0, load0 = run.cpu_secs(), time.monotonic(), os.getloadavg()[0]
        end = start + secs
        while (run.last_tick("count", COUNTED) or 0) < end + 2 * TICK_SECS:  # all tasks past end
            if run.proc.poll() is not None or time.monotonic() > wall0 + secs + 120:
                raise RuntimeError(f"{name}: stopped sending metrics; see {log}")
            time.sleep(0.5)
            run.read_metrics()
        cpu = (run.cpu_secs() - cpu0) / (time.monotonic() - wall0)
        load1 = os.getloadavg()[0]
    finally:
        run.stop()
    return Result(
        name=name,
        counted=rate(run, "count", COUNTED, start, end) or 0.0,
        count_acked=rate(run, "count", COUNT_ACKED, start, end) or 0.0,
        acked=(acked := rate(run, "spout", ACKED, start, end)),
        # no fail metric in a reliable run means none failed
        failed=rate(run, "spout", FAILED, start, end) or (None if acked is None else 0.0),
        latency_ms=mean_gauge(run, "spout", LATENCY, start, end),
        cpu_cores=cpu,
        load=(load0, load1),
    )


def rate(run: Run, component: str, metric: str, start: int, end: int) -> float | None:
    """Per-second growth of a counter in [start, end], summed over the component's tasks.

    Ticks carry whole seconds, so a window's length is known to within a second.
    None when the metric never appeared (e.g. no failures).
    """
    tasks = run.series.get((component, metric[:23]))
    if tasks is None:
        return None
    total = 0.0
    for samples in tasks.values():
        window = [(ts, v) for ts, v in samples if start <= ts <= end]
        if len(window) >= 2 and window[-1][0] > window[0][0]:
            total += (window[-1][1] - window[0][1]) / (window[-1][0] - window[0][0])
    return total


def mean_gauge(run: Run, component: str, metric: str, start: int, end: int) -> float | None:
    values = [
        v
        for samples in run.series.get((component, metric[:23]), {}).values()
        for ts, v in samples
        if start <= ts <= end
    ]
    return statistics.fmean(values) if values else None


def python_argv(conf: dict[str, object], snapshots: Path) -> list[str]:
    options = {**conf, "wordcount.pause.ms": 0, "wordcount.snapshot.dir": str(snapshots)}
    argv = [str(VENV_BIN / "sparse"), "run", "-n", "wordcount"]
    for key, value in options.items():
        argv += ["-o", f"{key}={json.dumps(value)}"]  # JSON is YAML, which -o parses
    return argv


def java_argv(conf_file: Path, ttl: int, fast: bool = False) -> list[str]:
    """storm local of the Java peer (fast: FastWordCountTopology's components)."""
    main = "logstorm.bench.JavaWordCount"
    par = [str(n) for n in local_parallelism()]
    storm_local = [str(STORM), "local", "--local-ttl", str(ttl), str(JAR)]
    return [*storm_local, main, "wordcount-java", str(conf_file), *par, *(["fast"] * fast)]


def fmt(value: float | None, spec: str = ",.0f") -> str:
    return "-" if value is None else format(value, spec)


def median(results: list[Result], field: str) -> float | None:
    values = [getattr(r, field) for r in results]
    return None if None in values else statistics.median(values)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--secs", type=int, default=60, help="measured seconds per run")
    ap.add_argument("--warmup", type=int, default=15, help="seconds skipped after the first count")
    ap.add_argument("--rounds", type=int, default=1, help="runs of each, alternating the order")
    ap.add_argument(
        "--pending", type=int, default=DEFAULT_PENDING, help="topology.max.spout.pending"
    )
    ap.add_argument("--unreliable", action="store_true", help="spouts emit without message ids")
    ap.add_argument(
        "--logs", type=Path, default=ROOT / "run" / "wordcount-peers", help="consoles of the runs"
    )
    ap.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md", help="markdown to update")
    args = ap.parse_args()
    built = build_java_jar()
    if built:
        print(f"built {JAR.relative_to(ROOT)} in {built:.0f} s", flush=True)
    args.logs.mkdir(parents=True, exist_ok=True)
    conf = topology_conf(not args.unreliable, args.pending)
    conf_file = args.logs / "java-conf.json"
    conf_file.write_text(json.dumps(conf, indent=1))
    ttl = args.warmup + args.secs + 600  # stopped earlier, once measured
    peers = {
        PYTHON: python_argv(conf, args.logs / "snapshots"),
        JAVA: java_argv(conf_file, ttl),
        FAST: java_argv(conf_file, ttl, fast=True),
    }
    results: dict[str, list[Result]] = {name: [] for name in peers}
    for n in range(args.rounds):
        for name in list(peers) if n % 2 == 0 else reversed(peers):
            log = args.logs / f"{name.split()[0].lower()}-{n + 1}.log"
            r = measure(name, peers[name], log, args.warmup, args.secs)
            print(r, flush=True)
            results[name].append(r)
    body = report(args, results)
    print(body)
    # One section per setting, so runs with other settings do not replace the default's.
    section = "wordcount-unreliable" if args.unreliable else "wordcount"
    if not args.unreliable and args.pending != DEFAULT_PENDING:
        section += f"-pending-{args.pending}"
    write_section(args.out, section, body)


def report(args: argparse.Namespace, results: dict[str, list[Result]]) -> str:
    """The markdown section: one row per run, ratios of the medians."""
    mode = "unreliable (no message ids)" if args.unreliable else (
        f"reliable (message ids, topology.max.spout.pending {args.pending})"
    )  # fmt: skip
    command = " ".join(
        ["`.venv/bin/python bench/wordcount_peers.py", f"--secs {args.secs}",
         f"--warmup {args.warmup}", f"--rounds {args.rounds}", f"--pending {args.pending}",
         *(["--unreliable"] if args.unreliable else [])]
    ) + "`"  # fmt: skip
    rows = [
        f"| {r.name} | {n} | {fmt(r.counted)} | {fmt(r.count_acked)} | {fmt(r.acked)} | "
        f"{fmt(r.failed)} | {fmt(r.latency_ms, ',.1f')} | {r.cpu_cores:.2f} | "
        f"{fmt(r.counted / r.cpu_cores)} | {r.load[0]:.1f} / {r.load[1]:.1f} |"
        for runs in results.values()
        for n, r in enumerate(runs, 1)
    ]
    py, java, fast = results[PYTHON], results[JAVA], results[FAST]
    ratios = [f"**{median(py, 'counted') / median(java, 'counted'):.2f}x** words counted/s"]
    if median(py, "acked") and median(java, "acked"):
        ratios.append(f"{median(py, 'acked') / median(java, 'acked'):.2f}x sentences acked/s")
    per_cpu = statistics.median(r.counted / r.cpu_cores for r in py) / statistics.median(
        r.counted / r.cpu_cores for r in java
    )
    ratios.append(f"{per_cpu:.2f}x words per CPU-second")
    ceiling = median(py, "counted") / median(fast, "counted")
    spout, split, count = local_parallelism()
    return "\n".join(
        [
            f"## WordCount: Python topology vs storm-starter's Java topologies — {date.today()}",
            "",
            f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}, Storm {STORM_VERSION} `storm local` (one worker, "
            f"one acker), spout {spout}, split {split}, count {count}, no spout pause, "
            f"{mode}. Each run: {args.secs} s measured after {args.warmup} s of warm-up; "
            f"{args.rounds} run(s) of each, alternating which goes first. "
            f"Command: {command}.",
            "",
            "| topology | run | words counted/s | words acked/s (count) | sentences acked/s "
            "(spout) | failed/s | complete latency (ms) | CPU (cores) | words per CPU-s "
            "| load avg start / end |",
            "|---|---|---|---|---|---|---|---|---|---|",
            *rows,
            "",
            f"Ratio Python / Java (medians): {', '.join(ratios)}. Python / all Java (the "
            f"Storm ceiling): **{ceiling:.2f}x** words counted/s.",
            "",
            "Java peer: storm-starter 1.2.2 (its newest release on Maven Central) "
            "`WordCountTopology$SplitSentence` (a ShellBolt: `splitsentence.py` with "
            "storm-starter's `storm.py`, which waits for the task ids of every emitted "
            "word) and `WordCountTopology$WordCount` (Java), fed by our Java spout of the "
            "same five sentences, on Storm's JSON multilang serializer. All Java: "
            "`FastWordCountTopology`'s spout (message ids, five longer sentences), split and "
            "count from the same jar. Python: spout, split and count are pystorm processes "
            f"speaking {project_config()['serializer']} "
            "(no task-id round trips; each sends what it says about one input in one "
            "write). Figures from Storm's own metrics "
            "(LoggingMetricsConsumer, v2 task metrics every second, default sample rate 5%); "
            "complete latency is the mean of the spout's per-second `__complete-latency` "
            "samples. CPU: all processes of the run (JVM and Python). Load average: the "
            "machine may be shared with other runs.",
        ]
    )


if __name__ == "__main__":
    main()
