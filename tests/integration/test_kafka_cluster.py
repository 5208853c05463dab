"""The Kafka-fed log analyzer on the loopback cluster spread over three simulated hosts
that share no disk (tools/cluster add-host --private: each added host's workers see
their own /tmp and Storm local folder only), its state in Kafka
(``logstorm.state.backend=kafka``) and its windows read back from the windows topic
as a downstream consumer reads them (``isolation.level=read_committed``), under
faults: a parse bolt process killed with kill -9, the broker stopped and started, a
whole host lost with its disk, and the topology killed and submitted again."""

import ast
import json
import os
import re
import signal
from pathlib import Path

import pytest
from event_reference import as_jsonl, reference_by_partition
from kafka_broker import (
    KAFKA,
    SERVER_OPTIONS,
    all_committed,
    committed_records,
    console_produce,
    group_offsets,
    new_topic,
    read_partitions,
    sh,
)
from sample_log import (
    BROKEN_LINE,
    SAMPLE,
    STATUSES,
    expected_url_top,
    first_window_with_total,
    window_counting_at_least,
    window_rows,
)
from sparse_run import wait_for
from storm_cluster import (
    CLUSTER,
    RUN,
    free_slots,
    host_of,
    kill,
    python_components,
    running_topologies,
    sparse,
    worker_of,
)

pytestmark = pytest.mark.storm
# a row of bench/faults.py as well: run by `make faults`, over the suite's budget
FAULT_ROW = pytest.mark.faults

HOSTS = ("127.0.0.1", "127.0.0.2", "127.0.0.3")
LINES = SAMPLE.read_text().splitlines()
GOOD = [line for i, line in enumerate(LINES, 1) if i != BROKEN_LINE]
LATENESS = 30
PYTHON = ("spouts.logfiles.", "bolts.parse.", "bolts.windows.", "bolts.rankings.", "bolts.sinks.")


@pytest.fixture(scope="module")
def added_hosts(cluster):
    """The session's cluster as it was after this module: the hosts it added lost (kill
    -9, as lose-host does), and Nimbus again seeing the first host only."""
    yield
    for host in HOSTS[1:]:
        sh([*CLUSTER, "lose-host", host])  # fails for a host already lost: fine
    wait_for(lambda: free_slots().keys() == {HOSTS[0]}, 120, "Nimbus to forget the added hosts")


@pytest.fixture
def three_hosts(added_hosts, cluster, kafka):
    """Three hosts up, sharing no disk: the two added ones private (the first, with
    Nimbus, keeps the common disk, which the others cannot see); added the first time,
    and the one an earlier test lost started again."""
    for host in HOSTS:
        private = ["--private"] if host != HOSTS[0] else []
        added = sh([*CLUSTER, "add-host", host, *private])
        assert added.returncode == 0 and f"host {host}" in added.stdout, added.stderr
    # A new topology's three workers then go one to each host (Storm's even scheduler).
    wait_for(lambda: free_slots() == dict.fromkeys(HOSTS, 4), 120, "every host's slots free")


@pytest.fixture(scope="module")
def sample_topic(kafka) -> tuple[str, list[list[str]]]:
    topic = new_topic(3)
    console_produce(topic, LINES)
    return topic, read_partitions(topic, 3)


def submit_argv(tmp_path, topic: str, group: str, **extra) -> list[str]:
    out = tmp_path / "out"  # on whichever host the sinks run: each has its own /tmp
    options = {
        "logstorm.input.kind": "kafka",
        "logstorm.input.kafka.topic": topic,
        "logstorm.input.kafka.group": group,
        "logstorm.input.tasks": 3,
        "logstorm.output.path": out / "windows.jsonl",
        "logstorm.errors.path": out / "errors.jsonl",
        "logstorm.state.backend": "kafka",
        "topology.message.timeout.secs": 10,  # what a dead process held comes back soon
        **SERVER_OPTIONS,
        **extra,
    }
    argv = ["submit", "-e", "cluster", "-n", "logs"]
    for key, value in options.items():
        argv += ["-o", f"{key}={value}"]
    return argv


def submit(tmp_path, topic: str, group: str, **extra) -> Path:
    """Submit over three hosts; the windows go to a topic of their own, whose committed
    records the returned file mirrors whenever :func:`read_back` is called."""
    windows = new_topic(1)  # one partition: the windows in the order they were written
    argv = submit_argv(tmp_path, topic, group, **{"logstorm.output.kafka.topic": windows},
                       **extra)  # fmt: skip
    submitted = sparse(*argv)
    assert submitted.returncode == 0, submitted.stdout + submitted.stderr
    MIRRORS[tmp_path / f"{windows}.jsonl"] = windows
    return tmp_path / f"{windows}.jsonl"


MIRRORS: dict[Path, str] = {}


def read_back(mirror: Path) -> Path:
    """The windows topic's committed records, as JSON lines in mirror (what the sample
    helpers read): a consumer with read_committed, as any downstream reader."""
    records = committed_records(MIRRORS[mirror])
    mirror.write_text("".join(value.decode() + "\n" for _, value in records))
    return mirror


def hosts_of(cls: str) -> list[str]:
    """The hosts of a component's live Python processes, one entry per process (those
    left behind by a dead worker, about to go, are not counted)."""
    return [h for h in map(host_of, python_components(cls)) if h is not None]


def placement() -> dict[str, set[str]]:
    """Component class prefix -> the hosts its Python processes run on."""
    return {cls: set(hosts_of(cls)) for cls in PYTHON}


def everything_running(hosts: set[str], processes: int) -> dict | None:
    """The placement once all Python processes run again, on these hosts only."""
    now = placement()
    return now if python_processes() == processes and set().union(*now.values()) <= hosts else None


def output_host() -> str:
    """A private host that runs the rankings or the window sink (with three workers on
    three hosts, one does): losing it loses the windows on their way out, unless their
    state is where every host reaches."""
    busy = placement()
    output = busy["bolts.rankings."] | set(hosts_of("WindowSinkBolt"))
    return next((h for h in HOSTS[1:] if h in output), HOSTS[1])


def python_processes() -> int:
    """How many Python component processes run (those of a dead worker not counted)."""
    return sum(len(hosts_of(cls)) for cls in PYTHON)


def kill_a_parse_process() -> None:
    """kill -9 a parse process whose worker (which dies with it) runs neither the
    rankings nor the window sink: with four parse tasks spread over the three workers,
    one does. Wait until Storm runs every Python process of that worker again."""
    processes = python_processes()
    parse = python_components("bolts.parse.")
    output = {worker_of(p) for c in ("bolts.rankings.", "WindowSinkBolt") for p in
              python_components(c)}  # fmt: skip
    victim = min(p for p in parse if worker_of(p) not in output)
    os.kill(victim, signal.SIGKILL)
    wait_for(lambda: victim not in python_components("bolts.parse.")
             and everything_running(set(HOSTS), processes), 180,
             "Storm to restart the parse bolt's worker")  # fmt: skip


def lose_a_host() -> str:
    """Lose a private host with its disk (tools/cluster lose-host: kill -9 of its
    supervisor and workers); wait until Storm ran everything again on the other two."""
    processes = python_processes()
    victim = output_host()
    assert victim in set().union(*placement().values())  # it runs part of the topology
    lost = sh([*CLUSTER, "lose-host", victim])
    assert lost.returncode == 0, lost.stdout + lost.stderr
    survivors = set(HOSTS) - {victim}
    wait_for(lambda: everything_running(survivors, processes), 240,
             f"Storm to reschedule the workers of {victim} on {survivors}")  # fmt: skip
    return victim


def good_so_far(n: int) -> int:
    """Lines among the sample's first n that count (the broken one does not)."""
    return n - (n >= BROKEN_LINE)


def spout_logs_mention(text: str) -> bool:
    logs = (RUN / "logs" / "python").glob("pystorm_logs_logfiles_*.log")
    return any(text in log.read_text(errors="replace") for log in logs)


@FAULT_ROW
def test_processing_time_counts_every_line_through_a_parse_kill_a_broker_restart_and_a_lost_host(
    three_hosts, tmp_path
):
    topic, group = new_topic(3), "logstorm-faults"
    long_windows = {"logstorm.window.url.secs": 1800, "logstorm.window.status.secs": 1800}
    sink = submit(tmp_path, topic, group, **long_windows)  # hold every line
    third = len(LINES) // 3
    parts = [LINES[:third], LINES[third : 2 * third], LINES[2 * third :]]

    console_produce(topic, parts[0])
    wait_for(
        lambda: first_window_with_total(read_back(sink), "url", good_so_far(third)), 240, "a third"
    )
    kill_a_parse_process()

    console_produce(topic, parts[1], first_key=third)
    wait_for(lambda: first_window_with_total(read_back(sink), "url", good_so_far(2 * third)), 240,
             "two thirds")  # fmt: skip
    assert sh([*KAFKA, "down"]).returncode == 0
    wait_for(lambda: spout_logs_mention("(retrying)"), 60, "the spout to notice the outage")
    up = sh([*KAFKA, "up"])
    assert up.returncode == 0 and "already running" not in up.stdout, up.stdout + up.stderr

    console_produce(topic, parts[2], first_key=2 * third)
    lose_a_host()
    # At-least-once: every line counted (replays may count some twice).
    wait_for(
        lambda: window_counting_at_least(read_back(sink), "status", STATUSES), 240, "every status"
    )
    top = dict(expected_url_top(GOOD, 10))
    wait_for(lambda: window_counting_at_least(read_back(sink), "url", top), 60, "every top URL")
    assert wait_for(lambda: all_committed(group), 60, "no lag left in the group")
    kill("logs")


def test_a_state_on_one_hosts_disk_is_refused_before_anything_runs(three_hosts, tmp_path):
    argv = submit_argv(tmp_path, "access-log", "logstorm-refused", **{
        "logstorm.state.backend": "dir", "logstorm.state.path": tmp_path / "state"})  # fmt: skip
    refused = sparse(*argv)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "option 'logstorm.state.backend' is 'dir'" in refused.stderr
    assert "fix: -o logstorm.state.backend=kafka" in refused.stderr
    assert "logs" not in running_topologies()


def test_event_time_windows_stay_exact_through_a_parse_kill_and_a_lost_host(
    three_hosts, sample_topic, tmp_path
):
    topic, partitions = sample_topic
    want = as_jsonl(reference_by_partition(partitions, LATENESS)[0])
    group = "logstorm-event-faults"
    sink = submit(tmp_path, topic, group, **{
        "logstorm.time": "event", "logstorm.input.mode": "spool",
        "logstorm.allowed_lateness_secs": LATENESS,
        "logstorm.input.batch.lines": 25,  # many small chunks: the faults land mid-replay
    })  # fmt: skip
    wait_for(lambda: window_rows(read_back(sink)), 240, "the first windows")
    assert len(window_rows(read_back(sink))) < len(want)  # mid-replay
    # what wrote nothing before the state left the disk: rankings and sink apart
    ranks, sinks = placement()["bolts.rankings."], set(hosts_of("WindowSinkBolt"))
    assert len(ranks) == len(sinks) == 1 and ranks != sinks, (ranks, sinks)
    kill_a_parse_process()
    lose_a_host()
    wait_for(lambda: all_committed(group) and len(window_rows(read_back(sink))) >= len(want), 300,
             f"the topic read and {len(want)} windows")  # fmt: skip
    assert window_rows(read_back(sink)) == want  # no window lost, none twice, all exact
    kill("logs")


def started_from(topic: str, spouts: set[int]) -> dict[int, int]:
    """The offsets these spout processes said they started reading at, by partition."""
    found = {}
    pattern = re.compile(rf"reads partitions \[[0-9, ]*\] of {topic} from offsets (\{{.*?\}})")
    for pid in spouts:  # pystorm names its log pystorm_logs_<component>_<task>_<pid>.log
        for log in (RUN / "logs" / "python").glob(f"pystorm_logs_logfiles_*_{pid}.log"):
            for match in pattern.finditer(log.read_text(errors="replace")):
                found.update(ast.literal_eval(match[1]))
    return found


@FAULT_ROW
def test_a_resubmitted_topology_resumes_at_the_committed_offsets_counting_no_line_twice(
    three_hosts, sample_topic, tmp_path
):
    topic, partitions = sample_topic
    reference = {(w["metric"], w["window_end"]): w
                 for w in reference_by_partition(partitions, LATENESS)[0]}  # fmt: skip
    group = "logstorm-resubmitted"
    event = {"logstorm.time": "event", "logstorm.input.mode": "spool",
             "logstorm.allowed_lateness_secs": LATENESS,
             "logstorm.input.batch.lines": 25}  # fmt: skip
    # One chunk in flight per spout task, each acked about a second later (the window
    # tasks journal first): the first run is far from done when it is killed.
    sink = submit(tmp_path / "first", topic, group, **event, **{"topology.max.spout.pending": 1})
    wait_for(lambda: any(c > 0 for c, _ in group_offsets(group).values()), 240, "commits")
    kill("logs")
    # Kafka's tool lists only partitions with a commit; the others start at 0 (earliest)
    committed = {p: 0 for p in range(3)} | {
        p: max(c, 0) for p, (c, _) in group_offsets(group).items()
    }
    assert sum(committed.values()) < len(LINES) // 2  # killed early in the replay

    second_sink = submit(tmp_path / "second", topic, group, **event)
    spouts = wait_for(lambda: len(p := python_components("spouts.logfiles.")) == 3 and p, 240,
                      "the new spout tasks")  # fmt: skip
    started = wait_for(lambda: len(s := started_from(topic, spouts)) == 3 and s, 60,
                       "the spout tasks to say where they start")  # fmt: skip
    assert started == committed  # each partition resumes at the group's committed offset
    wait_for(
        lambda: len(window_rows(read_back(second_sink))) >= 1000, 240, "windows of the second run"
    )
    written = [
        json.loads(r) for r in window_rows(read_back(sink)) + window_rows(read_back(second_sink))
    ]
    ids = [(w["metric"], w["window_end"]) for w in written]
    assert len(ids) == len(set(ids))  # no window written by both runs
    for window in written:  # and none holds more than the reference: no line counted twice
        ref = reference[(window["metric"], window["window_end"])]
        assert window["total"] <= ref["total"], window
        assert all(n <= dict(ref["top"]).get(k, n) for k, n in window["top"]), window
    kill("logs")
