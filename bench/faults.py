"""The fault matrix: the logs topology on the loopback cluster under steady load, one
fault per run, every line written checked against what the windows counted.

    .venv/bin/python bench/faults.py [--times event processing] [--faults spout parse ...]
                                     [--inputs files kafka] [--rate 2000] [--before 10]
                                     [--after 20]

For each input, time mode and fault, a fresh `sparse submit -e cluster -n logs` tails a
new folder while a writer appends generated traffic (stamped with the wall clock) at
``--rate`` lines/s; with Kafka input the shipper (``logstorm.shipping.shipper``) sends
that folder to a fresh 3-partition topic and the spouts read the topic instead; there
the faults run are those where reading a topic differs from tailing a file (``KAFKA_
FAULTS``: the spout, a parse process, the worker JVM, the resubmit) and the broker
stopped for 20 s. ``--inputs kafka-sn`` runs Kafka input on hosts that share nothing
(``SHARE_NOTHING``): three brokers (``tools/kafka up --brokers 3``), the first host's
Supervisor stopped and three private hosts added (``tools/cluster add-host --private``),
state in Kafka (``logstorm.state.backend=kafka``), the windows read back from their
topic with ``read_committed`` (the errors file, for the late lines, is on the common
disk: the measurement's view); its faults are ``SN_FAULTS``, among them a host lost
with its disk, the rankings' host, and one broker of three killed. ``--before`` seconds
after the first window the fault is injected,
the load goes on for ``--after`` seconds, stops, and the windows are drained. Status
windows are tumbling here (5 s window, 5 s slide), so every line belongs to exactly
one of them, and a window's total can be checked line by line:

- event time: each window against the brute-force count of the written lines with
  timestamps in it, less the lines the errors sink reported late for it (a late line
  is accounted for, not lost): *lost* and *counted twice* are the sums of the
  shortfalls and excesses over all windows, *windows missing* those with lines but no
  record, *duplicated* the records written more than once;
- processing time: a line's window depends on when it arrived, so only the totals
  can be compared: lost / counted twice are the net shortfall / excess.

*Back after* is the time from the fault to the first window record written after it.
A row whose run fails (no windows within its deadline) is kept in the table with the
reason, and the matrix goes on.
Writes the table to RELIABILITY.md. Needs the cluster (``tools/cluster up``; started
if it is down) and the worker virtualenvs (``tools/cluster venvs``).
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import json
import os
import shlex
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "bench")]

import suite_env  # noqa: E402

suite_env.use_project_services()  # run by hand: the project's cluster and broker

from kafka_broker import committed_records  # noqa: E402
from live_latency import KAFKA, kafka_input, machine, started_here  # noqa: E402
from parse_rate import write_section  # noqa: E402
from sparse_run import wait_for  # noqa: E402
from storm_cluster import (  # noqa: E402
    CLUSTER,
    python_components,
    running_topologies,
    sh,
    sparse,
    worker_of,
)
from storm_cluster import kill as kill_topology  # noqa: E402

from logstorm.jsonl_follow import complete_records  # noqa: E402
from logstorm.parsing.accesslog import event_time  # noqa: E402
from logstorm.traffic import TrafficGenerator  # noqa: E402

SLIDE = 5  # status windows: tumbling, 5 s
LATENESS = 10
MESSAGE_TIMEOUT = 10
COMPONENTS = {
    "spout": "spouts.logfiles.LogFileSpout",
    "parse": "bolts.parse.AccessLogParseBolt",
    "window": "bolts.windows.WindowBolt",  # one class for every metric's window bolt
    "rankings": "bolts.rankings.RankingsBolt",
    "window sink": "bolts.sinks.WindowSinkBolt",
    "error sink": "bolts.sinks.ErrorSinkBolt",
}


class Writer(threading.Thread):
    """Appends generated lines stamped with the wall clock at a steady rate."""

    def __init__(self, path: Path, rate: int) -> None:
        super().__init__(daemon=True)
        self.path, self.rate = path, rate
        self.lines: list[str] = []
        self.running = threading.Event()
        self.running.set()
        self.lock = threading.Lock()
        self.fh = open(path, "a")  # noqa: SIM115 - reopened by rotate(), closed by stop()

    def run(self) -> None:
        traffic, start = TrafficGenerator(seed=7), time.time()
        while self.running.is_set():
            due = int((time.time() - start) * self.rate) - len(self.lines)
            batch = [traffic.line(time.time()) for _ in range(due)]
            with self.lock:
                self.fh.write("".join(line + "\n" for line in batch))
                self.fh.flush()
            self.lines += batch
            time.sleep(0.05)

    def rotate(self) -> None:
        """As logrotate's create: rename the log away, go on in a new file of its name."""
        with self.lock:
            self.path.rename(self.path.with_name(self.path.name + ".1"))
            self.fh.close()
            self.fh = open(self.path, "a")  # noqa: SIM115

    def copytruncate(self) -> None:
        """As logrotate's copytruncate: copy the log aside (a name the spout does not
        read) and truncate it in place; no line is written in between."""
        with self.lock:
            shutil.copyfile(self.path, self.path.with_name(self.path.name + ".1"))
            os.truncate(self.path, 0)

    def stop(self) -> None:
        self.running.clear()
        self.join()
        self.fh.close()


def one_pid(kind: str) -> int:
    return min(python_components(COMPONENTS[kind]))


@dataclass
class Trial:
    """One run of the matrix: its folder, time mode and writer."""

    folder: Path
    time_mode: str
    extra: dict[str, object]
    writer: Writer | None = None
    # window records in the sink when the fault is over and the topology's windows must
    # come anew (a resubmit): "back after" and the final count wait for those
    records_after_fault: int | None = None


PRIVATE_HOSTS = ("127.0.0.2", "127.0.0.3", "127.0.0.4")
BROKERS = "127.0.0.1:9092,127.0.0.1:9192,127.0.0.1:9292"
SHARE_NOTHING = {
    "logstorm.state.backend": "kafka",
    "logstorm.state.kafka.servers": BROKERS,
    "logstorm.input.kafka.servers": BROKERS,
    "logstorm.output.kafka.servers": BROKERS,
}
WINDOWS_TOPICS: dict[Path, str] = {}  # a share-nothing run's out folder -> its windows topic


def windows(out: Path) -> list[dict]:
    """The windows a run wrote: its sink's file, or with share-nothing hosts the
    committed records of its windows topic."""
    if out in WINDOWS_TOPICS:
        return [json.loads(value) for _, value in committed_records(WINDOWS_TOPICS[out])]
    return complete_records(out / "windows.jsonl")


def host_of_component(kind: str) -> str:
    """The host a component's (first) process runs on."""
    from storm_cluster import host_of

    return host_of(one_pid(kind)) or "?"


def lose_host(kind: str | None) -> Callable[[Trial], None]:
    """A private host lost with its disk (kill -9 of its supervisor and workers): the
    one running kind (the rankings), or one running the spout's worker."""

    def fault(_: Trial) -> None:
        victim = host_of_component(kind or "spout")
        cluster("lose-host", victim)

    return fault


def broker_killed(_: Trial) -> None:
    """One broker of three killed (kill -9) for 20 s, then started again."""
    kafka("stop-broker", "2")
    time.sleep(20)  # the fault itself: two brokers of three
    kafka("start-broker", "2")


def share_nothing_hosts() -> None:
    """Every worker on a private host: the first host's Supervisor stopped, three
    private hosts up (one lost by an earlier row comes back)."""
    cluster("stop", "supervisor")
    for host in PRIVATE_HOSTS:
        cluster("add-host", host, "--private")


def kill_component(kind: str) -> Callable[[Trial], None]:
    def fault(_: Trial) -> None:
        os.kill(one_pid(kind), signal.SIGKILL)

    return fault


def kill_worker(_: Trial) -> None:
    os.kill(worker_of(one_pid("spout")), signal.SIGKILL)


def cluster(*argv: str) -> None:
    result = sh([*CLUSTER, *argv])
    if result.returncode != 0:
        raise SystemExit(f"tools/cluster {' '.join(argv)} failed:\n{result.stdout}{result.stderr}")


def kill_supervisor(_: Trial) -> None:
    """The supervisor `kill -9`ed; started again 10 s later (its workers run on)."""
    pid = int((ROOT / "run" / "cluster" / "pids" / "supervisor.pid").read_text())
    os.kill(pid, signal.SIGKILL)
    time.sleep(10)  # the fault itself: no supervisor for a while
    cluster("start", "supervisor")


def daemon_away(daemon: str, secs: int) -> Callable[[Trial], None]:
    def fault(_: Trial) -> None:
        cluster("stop", daemon)
        time.sleep(secs)  # the fault itself: the daemon away
        cluster("start", daemon)

    return fault


def resubmit(trial: Trial) -> None:
    """The topology killed and submitted again over the same input and state folders."""
    kill_topology("logs")
    trial.records_after_fault = len(windows(trial.folder / "out"))
    submit(trial.folder, trial.time_mode, trial.extra)


def broker_away(_: Trial) -> None:
    """The Kafka broker stopped for 20 s, then started again (its data kept)."""
    kafka("down")
    time.sleep(20)  # the fault itself: no broker
    kafka("up")


def kafka_with(brokers: int) -> None:
    """The Kafka cluster with this many brokers (a fresh one if it had another count),
    stopped at exit."""
    status = sh([*KAFKA, "status"]).stdout
    running = status.count("running, pid")
    if running and running != brokers:
        kafka("down")
    if running != brokers:
        kafka("clean")
        kafka("up", "--brokers", str(brokers))
    atexit.register(kafka, "down")


def kafka(*argv: str) -> None:
    result = sh([*KAFKA, *argv])
    if result.returncode != 0:
        raise SystemExit(f"tools/kafka {' '.join(argv)} failed:\n{result.stdout}{result.stderr}")


def timeout_storm(_: Trial) -> None:
    """A window process stopped for longer than the message timeout: its chunks
    time out and are replayed while the first copies still wait in its queue."""
    victim = one_pid("window")
    os.kill(victim, signal.SIGSTOP)
    time.sleep(MESSAGE_TIMEOUT + 5)  # the fault itself: a process that does not run
    os.kill(victim, signal.SIGCONT)


FAULTS: dict[str, Callable[[Trial], None]] = {
    **{kind: kill_component(kind) for kind in COMPONENTS},
    "worker JVM": kill_worker,
    "supervisor": kill_supervisor,
    "nimbus": daemon_away("nimbus", 20),
    "zookeeper": daemon_away("zookeeper", 20),
    "rotation": lambda trial: trial.writer.rotate(),
    "copytruncate": lambda trial: trial.writer.copytruncate(),
    "resubmit": resubmit,
    "timeout storm": timeout_storm,
    "broker": broker_away,
    "host": lose_host(None),
    "rankings host": lose_host("rankings"),
    "broker of three": broker_killed,
}
KAFKA_ONLY = {"broker"}
SN_FAULTS = [*COMPONENTS, "worker JVM", "host", "rankings host", "resubmit", "broker of three"]
# With Kafka input, the faults where reading a topic differs from tailing a file (its
# offsets, its partitions, its broker); the bolts downstream are the same.
KAFKA_FAULTS = {"spout", "parse", "worker JVM", "resubmit", "broker"}
FAULT_TITLES = {
    **{kind: f"`kill -9` of the {kind} process" for kind in COMPONENTS},
    "worker JVM": "`kill -9` of the spout's worker JVM",
    "supervisor": "`kill -9` of the supervisor, started again 10 s later",
    "nimbus": "Nimbus stopped for 20 s, then started again",
    "zookeeper": "ZooKeeper stopped for 20 s, then started again",
    "rotation": "the log rotated under load (renamed, a new file created)",
    "copytruncate": "the log rotated by copytruncate under load",
    "resubmit": "the topology killed and submitted again (same input and state folders)",
    "timeout storm": f"a window process stopped (SIGSTOP) for {MESSAGE_TIMEOUT + 5} s, "
    f"over the {MESSAGE_TIMEOUT} s message timeout",
    "broker": "the Kafka broker stopped for 20 s, then started again",
    "host": "a host lost with its disk (the spout's: kill -9 of its supervisor and workers)",
    "rankings host": "the rankings' host lost with its disk",
    "broker of three": "one broker of three killed (kill -9) for 20 s, then started again",
}


def applies(fault: str, source: str) -> bool:
    if source == "kafka-sn":
        return fault in SN_FAULTS
    if fault in ("host", "rankings host", "broker of three"):
        return False
    return fault in KAFKA_FAULTS if source == "kafka" else fault not in KAFKA_ONLY


def submit(folder: Path, time_mode: str, extra: dict[str, object]) -> tuple[Path, Path]:
    inbox, out = folder / "in", folder / "out"
    inbox.mkdir(exist_ok=True)
    options = {
        "logstorm.input.path": inbox,
        # YAML-quoted (sparse reads -o values as YAML); not copytruncate's copy beside it
        "logstorm.input.pattern": '"*.log"',
        "logstorm.output.path": out / "windows.jsonl",
        "logstorm.errors.path": out / "errors.jsonl",
        "logstorm.time": time_mode,
        "logstorm.allowed_lateness_secs": LATENESS,
        "logstorm.idle_timeout_secs": 3,
        "logstorm.window.status.secs": SLIDE,
        "logstorm.window.status.slide.secs": SLIDE,
        "topology.message.timeout.secs": MESSAGE_TIMEOUT,
        **extra,
    }
    if options.get("logstorm.state.backend") != "kafka":
        options["logstorm.state.path"] = folder / "state"
    else:  # its windows topic, one partition: a fresh one, kept by a resubmission
        if out not in WINDOWS_TOPICS:
            WINDOWS_TOPICS[out] = f"windows-{folder.name}"
            kafka("topic", WINDOWS_TOPICS[out], "1")
        options["logstorm.output.kafka.topic"] = WINDOWS_TOPICS[out]
    argv = ["submit", "-e", "cluster", "-n", "logs"]
    for key, value in options.items():
        argv += ["-o", f"{key}={value}"]
    result = sparse(*argv)
    if result.returncode != 0:
        raise SystemExit(f"sparse submit failed:\n{result.stdout}{result.stderr}")
    return inbox / "access.log", out


def status_windows(out: Path) -> list[dict]:
    return [w for w in windows(out) if w["metric"] == "status"]


def account(time_mode: str, written: list[str], out: Path) -> dict:
    """Lost, counted twice, windows missing and duplicated (see the module docstring)."""
    records = windows(out)
    seen = Counter((w["metric"], w["window_end"]) for w in records)
    got: dict[int, int] = {}
    for w in records:
        if w["metric"] == "status":
            got.setdefault(w["window_end"], w["total"])
    row = {"written": len(written), "counted": sum(got.values()),
           "duplicated": sum(n - 1 for n in seen.values())}  # fmt: skip
    late = {(e["path"], e["offset"]): e["line"] for e in complete_records(out / "errors.jsonl")
            if e["reason"] == "late" and e.get("metric") == "status"}  # fmt: skip
    row["late"] = len(late)
    if time_mode == "processing":
        row["lost"] = max(0, len(written) - row["counted"])
        row["twice"] = max(0, row["counted"] - len(written))
        row["missing"] = None
        return row
    want = Counter((event_time(line) // SLIDE + 1) * SLIDE for line in written)
    for line in late.values():
        want[(event_time(line) // SLIDE + 1) * SLIDE] -= 1
    row["lost"] = sum(max(0, n - got.get(end, 0)) for end, n in want.items())
    row["twice"] = sum(max(0, n - want.get(end, 0)) for end, n in got.items())
    row["missing"] = sum(1 for end, n in want.items() if n > 0 and end not in got)
    return row


def run(source: str, time_mode: str, fault: str, rate: int, before: float,
        after: float) -> dict:  # fmt: skip
    """One row: the measured figures, or the reason the run failed."""
    # share-nothing: on the common disk (the private hosts' /tmp is their own), for the
    # errors file; the state is in Kafka and the windows are read from their topic
    base = ROOT / "run" / "faults" if source == "kafka-sn" else None
    if base is not None:
        base.mkdir(parents=True, exist_ok=True)
        share_nothing_hosts()
    folder = Path(tempfile.mkdtemp(prefix=f"faults-{source}-{time_mode}-", dir=base))
    row: dict = {"source": source, "time": time_mode, "fault": fault}
    with contextlib.ExitStack() as stack:
        extra: dict[str, object] = {}
        if source.startswith("kafka"):
            (folder / "in").mkdir()
            extra, _, _ = stack.enter_context(kafka_input(folder / "in", folder))
        if source == "kafka-sn":
            extra.update(SHARE_NOTHING)
        trial = Trial(folder, time_mode, extra)
        try:
            row.update(strike(trial, fault, rate, before, after))
        except (AssertionError, OSError, SystemExit) as failed:  # TimeoutError is an OSError
            print(f"{source} {time_mode} {fault}: {failed}", flush=True)
            row["failed"] = _gist(str(failed))
        finally:
            if trial.writer and trial.writer.is_alive():
                trial.writer.stop()
            try:
                if "logs" in running_topologies():
                    kill_topology("logs")
            except (AssertionError, OSError) as failed:  # Nimbus not answering: say so
                row.setdefault("failed", _gist(f"killing the topology: {failed}"))
    print(json.dumps(row), flush=True)
    return row


def _gist(text: str) -> str:
    """The first and the last line of a failure (what failed, and its error)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()] or ["?"]
    return lines[0] if len(lines) == 1 else f"{lines[0]} {lines[-1]}"


def strike(trial: Trial, fault: str, rate: int, before: float, after: float) -> dict:
    log, out = submit(trial.folder, trial.time_mode, trial.extra)
    writer = trial.writer = Writer(log, rate)
    writer.start()
    wait_for(lambda: status_windows(out), 240, "the first windows")
    time.sleep(before)  # steady load before the fault
    count_before = len(windows(out))
    struck = time.monotonic()
    FAULTS[fault](trial)
    if trial.records_after_fault is not None:  # the windows of the new topology
        count_before = trial.records_after_fault
    back = wait_for(lambda: len(windows(out)) > count_before and time.monotonic(), 300,
                    "windows after the fault")  # fmt: skip
    time.sleep(max(0.0, after - (time.monotonic() - struck)))
    writer.stop()
    last_end = (max(map(event_time, writer.lines)) // SLIDE + 1) * SLIDE
    if trial.time_mode == "event":
        wait_for(lambda: any(w["window_end"] >= last_end for w in status_windows(out)), 180,
                 "the last window")  # fmt: skip
    else:  # recovery may outlast a quiet spell (a host lost): wait for every line first
        with contextlib.suppress(AssertionError):  # not all: what is missing counts as lost
            wait_for(lambda: sum(w["total"] for w in status_windows(out)) >= len(writer.lines),
                     240, "every line counted")  # fmt: skip
    settled(lambda: sum(w["total"] for w in status_windows(out)))
    return {**account(trial.time_mode, writer.lines, out), "back_secs": back - struck}


def settled(measure: Callable[[], int], quiet: float = 10.0, deadline: float = 180.0) -> None:
    """Wait until measure() has not changed for quiet seconds (replays come late)."""
    start = time.monotonic()
    value, since = measure(), time.monotonic()
    while time.monotonic() - since < quiet and time.monotonic() - start < deadline:
        time.sleep(1.0)
        now = measure()
        if now != value:
            value, since = now, time.monotonic()


def table(rows: list[dict], argv: str) -> str:
    head = (
        f"## Fault matrix on the loopback cluster — {date.today().isoformat()}\n\n"
        f"{machine()}. One-host cluster (`tools/cluster up`: ZooKeeper, Nimbus, "
        "one Supervisor, UI), `cluster` parallelism, "
        "files tailed or read through Kafka (the shipper in front, 3 partitions), "
        "`logstorm.state.path` set; `kafka-sn`: Kafka input on three hosts that share "
        "nothing (the first host's Supervisor stopped, three `add-host --private`), three "
        "brokers, `logstorm.state.backend=kafka`, windows read from their topic "
        f"`read_committed`; message timeout {MESSAGE_TIMEOUT} s, lateness "
        f"{LATENESS} s, status windows tumbling over {SLIDE} s. Command: `{argv}`. "
        "One run per row.\n\n"
        "| input | time | fault | lines written | counted | late | lost | counted twice | "
        "windows missing | windows duplicated | back after (s) |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|\n"
    )
    body = "".join(f"| {r['source']} | {r['time']} | {FAULT_TITLES[r['fault']]} | "
                   f"{figures(r)} |\n" for r in rows)  # fmt: skip
    notes = (
        "\nEvent time: per window against the brute-force count of the written lines "
        "(less those reported late). Processing time: totals only (a line's window is "
        "its arrival second), so lost / counted twice are net. Back after: from the fault "
        "to the next window record in the sink.\n"
    )
    return head + body + notes


def figures(r: dict) -> str:
    if "failed" in r:
        return f"run failed: {r['failed']} | | | | | | | |"
    return (f"{r['written']:,} | {r['counted']:,} | {r['late']:,} | {r['lost']:,} | "
            f"{r['twice']:,} | {'-' if r['missing'] is None else r['missing']} | "
            f"{r['duplicated']} | {r['back_secs']:.1f}")  # fmt: skip


def idle_cluster() -> None:
    """The cluster up with its worker virtualenvs and no topology running; stopped at
    exit if it was started here (the machine is left as found)."""
    cluster("venvs")
    if started_here(CLUSTER):
        atexit.register(cluster, "down")
    for name in running_topologies():
        kill_topology(name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--times", nargs="+", default=["event", "processing"],
                        choices=["event", "processing"])  # fmt: skip
    parser.add_argument("--faults", nargs="+", default=list(FAULTS), choices=list(FAULTS))
    parser.add_argument("--inputs", nargs="+", default=["files", "kafka", "kafka-sn"],
                        choices=["files", "kafka", "kafka-sn"])  # fmt: skip
    parser.add_argument("--rate", type=int, default=2000)
    parser.add_argument("--before", type=float, default=10.0)
    parser.add_argument("--after", type=float, default=20.0)
    parser.add_argument("-o", "--output", type=Path, default=ROOT / "RELIABILITY.md")
    args = parser.parse_args(argv)
    idle_cluster()
    rows = []
    for source in args.inputs:
        if source.startswith("kafka"):
            brokers = 3 if source == "kafka-sn" else 1
            kafka_with(brokers)
        rows += [run(source, t, f, args.rate, args.before, args.after) for t in args.times
                 for f in args.faults if applies(f, source)]  # fmt: skip
        if source == "kafka-sn":  # back to the one-host cluster
            for host in PRIVATE_HOSTS:
                sh([*CLUSTER, "lose-host", host])
            cluster("start", "supervisor")
    command = shlex.join(["bench/faults.py", *(sys.argv[1:] if argv is None else argv)])
    # the share-nothing column alone keeps a section of its own beside the matrix
    section = "faults-share-nothing" if args.inputs == ["kafka-sn"] else "faults"
    write_section(args.output, section, table(rows, command.strip()))
    print(table(rows, command.strip()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
