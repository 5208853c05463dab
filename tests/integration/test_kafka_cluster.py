"""The Kafka-fed log analyzer on the loopback cluster spread over three simulated hosts
(tools/cluster add-host), under faults: a parse bolt process killed with kill -9, the
broker stopped and started, a whole host (supervisor and workers) killed, and the
topology killed and submitted again."""

import ast
import json
import os
import re
import signal

import pytest
from event_reference import as_jsonl, reference_by_partition
from kafka_broker import (
    KAFKA,
    all_committed,
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
    kill_host,
    python_components,
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


@pytest.fixture
def three_hosts(cluster, kafka):
    """Three hosts up: added the first time, and the one an earlier test killed started
    again."""
    for host in HOSTS:
        added = sh([*CLUSTER, "add-host", host])
        assert added.returncode == 0 and f"host {host}" in added.stdout, added.stderr
    # A new topology's three workers then go one to each host (Storm's even scheduler).
    wait_for(lambda: free_slots() == dict.fromkeys(HOSTS, 4), 120, "every host's slots free")


@pytest.fixture(scope="module")
def sample_topic(kafka) -> tuple[str, list[list[str]]]:
    topic = new_topic(3)
    console_produce(topic, LINES)
    return topic, read_partitions(topic, 3)


def submit(tmp_path, topic: str, group: str, **extra) -> tuple:
    out = tmp_path / "out"
    options = {
        "logstorm.input.kind": "kafka",
        "logstorm.input.kafka.topic": topic,
        "logstorm.input.kafka.group": group,
        "logstorm.input.tasks": 3,
        "logstorm.output.path": out / "windows.jsonl",
        "logstorm.errors.path": out / "errors.jsonl",
        "logstorm.state.path": tmp_path / "state",
        "topology.message.timeout.secs": 10,  # what a dead process held comes back soon
        **extra,
    }
    argv = ["submit", "-e", "cluster", "-n", "logs"]
    for key, value in options.items():
        argv += ["-o", f"{key}={value}"]
    submitted = sparse(*argv)
    assert submitted.returncode == 0, submitted.stdout + submitted.stderr
    return out / "windows.jsonl", out / "errors.jsonl"


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
    running = sum(len(hosts_of(cls)) for cls in PYTHON)
    return now if running == processes and set().union(*now.values()) <= hosts else None


def spared_host() -> str:
    """A host that runs neither the rankings nor the window sink: with three workers on
    three hosts one always does. Windows on their way out (in those two) are the one
    thing a crash may lose (README, "Guarantee in event time")."""
    busy = placement()
    output = busy["bolts.rankings."] | set(hosts_of("WindowSinkBolt"))
    return next(h for h in HOSTS if h not in output)


def kill_a_parse_process() -> None:
    """kill -9 a parse process whose worker (which dies with it) runs neither the
    rankings nor the window sink: with four parse tasks spread over the three workers,
    one does."""
    parse = python_components("bolts.parse.")
    output = {worker_of(p) for c in ("bolts.rankings.", "WindowSinkBolt") for p in
              python_components(c)}  # fmt: skip
    victim = min(p for p in parse if worker_of(p) not in output)
    os.kill(victim, signal.SIGKILL)
    wait_for(lambda: (now := python_components("bolts.parse.")) and victim not in now
             and len(now) == len(parse), 180, "Storm to restart the parse bolt")  # fmt: skip


def lose_a_host() -> str:
    """kill -9 one host's supervisor and workers; wait until Storm ran everything again
    on the other two."""
    processes = sum(len(hosts_of(cls)) for cls in PYTHON)
    victim = spared_host()
    assert victim in set().union(*placement().values())  # it runs part of the topology
    kill_host(victim)
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
    sink, errors = submit(tmp_path, topic, group, **long_windows)  # hold every line
    third = len(LINES) // 3
    parts = [LINES[:third], LINES[third : 2 * third], LINES[2 * third :]]

    console_produce(topic, parts[0])
    wait_for(lambda: first_window_with_total(sink, "url", good_so_far(third)), 240, "a third")
    kill_a_parse_process()

    console_produce(topic, parts[1], first_key=third)
    wait_for(lambda: first_window_with_total(sink, "url", good_so_far(2 * third)), 240,
             "two thirds")  # fmt: skip
    assert sh([*KAFKA, "down"]).returncode == 0
    wait_for(lambda: spout_logs_mention("(retrying)"), 60, "the spout to notice the outage")
    up = sh([*KAFKA, "up"])
    assert up.returncode == 0 and "already running" not in up.stdout, up.stdout + up.stderr

    console_produce(topic, parts[2], first_key=2 * third)
    lose_a_host()
    # At-least-once: every line counted (replays may count some twice).
    wait_for(lambda: window_counting_at_least(sink, "status", STATUSES), 240, "every status")
    top = dict(expected_url_top(GOOD, 10))
    wait_for(lambda: window_counting_at_least(sink, "url", top), 60, "every top URL")
    assert wait_for(lambda: all_committed(group), 60, "no lag left in the group")
    kill("logs")


def test_event_time_windows_stay_exact_through_a_parse_kill_and_a_lost_host(
    three_hosts, sample_topic, tmp_path
):
    topic, partitions = sample_topic
    want = as_jsonl(reference_by_partition(partitions, LATENESS)[0])
    group = "logstorm-event-faults"
    sink, _ = submit(tmp_path, topic, group, **{
        "logstorm.time": "event", "logstorm.input.mode": "spool",
        "logstorm.allowed_lateness_secs": LATENESS,
        "logstorm.input.batch.lines": 25,  # many small chunks: the faults land mid-replay
    })  # fmt: skip
    wait_for(lambda: window_rows(sink), 240, "the first windows")
    assert len(window_rows(sink)) < len(want)  # mid-replay
    kill_a_parse_process()
    lose_a_host()
    wait_for(lambda: all_committed(group) and len(window_rows(sink)) >= len(want), 300,
             f"the topic read and {len(want)} windows")  # fmt: skip
    assert window_rows(sink) == want  # no window lost, nothing counted twice
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
    sink, _ = submit(tmp_path / "first", topic, group, **event, **{"topology.max.spout.pending": 1})
    wait_for(lambda: any(c > 0 for c, _ in group_offsets(group).values()), 240, "commits")
    kill("logs")
    # Kafka's tool lists only partitions with a commit; the others start at 0 (earliest)
    committed = {p: 0 for p in range(3)} | {
        p: max(c, 0) for p, (c, _) in group_offsets(group).items()
    }
    assert sum(committed.values()) < len(LINES) // 2  # killed early in the replay

    second_sink, _ = submit(tmp_path / "second", topic, group, **event)
    spouts = wait_for(lambda: len(p := python_components("spouts.logfiles.")) == 3 and p, 240,
                      "the new spout tasks")  # fmt: skip
    started = wait_for(lambda: len(s := started_from(topic, spouts)) == 3 and s, 60,
                       "the spout tasks to say where they start")  # fmt: skip
    assert started == committed  # each partition resumes at the group's committed offset
    wait_for(lambda: len(window_rows(second_sink)) >= 1000, 240, "windows of the second run")
    written = [json.loads(r) for r in window_rows(sink) + window_rows(second_sink)]
    ids = [(w["metric"], w["window_end"]) for w in written]
    assert len(ids) == len(set(ids))  # no window written by both runs
    for window in written:  # and none holds more than the reference: no line counted twice
        ref = reference[(window["metric"], window["window_end"])]
        assert window["total"] <= ref["total"], window
        assert all(n <= dict(ref["top"]).get(k, n) for k, n in window["top"]), window
    kill("logs")
