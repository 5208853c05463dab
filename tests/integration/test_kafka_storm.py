"""The log analyzer reading a real Kafka topic (broker from tools/kafka), on `sparse run`.

Lines go in through Kafka's own console producer, a client this project did not
write, keyed so they spread over the topic's 3 partitions; 2 spout tasks share them.
The windows must count exactly those lines, in processing time and in event time,
and the consumer group's committed offsets must end at the partitions' end offsets,
as Kafka's own consumer-group tool reports them.
"""

import json
import re
import uuid
from pathlib import Path

import pytest
from event_reference import as_jsonl, reference_by_partition
from kafka_broker import (
    KAFKA,
    SERVER_OPTIONS,
    all_committed,
    console_produce,
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
    window_rows,
)
from sparse_run import SparseRun, wait_for

from logstorm.dashboard.feed import WindowFeed
from logstorm.dashboard.prometheus import exposition
from logstorm.jsonl_follow import complete_lines, complete_records

pytestmark = pytest.mark.storm

LATENESS = 30
LINES = SAMPLE.read_text().splitlines()


@pytest.fixture(scope="module")
def sample_topic(kafka) -> tuple[str, list[list[str]]]:
    """A 3-partition topic holding the sample, and each partition's lines in order."""
    name = new_topic(3)
    console_produce(name, LINES)
    return name, read_partitions(name, 3)


def kafka_options(topic: str, out: Path, **extra) -> tuple[str, dict]:
    group = f"logstorm-{uuid.uuid4().hex[:8]}"
    return group, {
        "logstorm.input.kind": "kafka",
        "logstorm.input.kafka.topic": topic,
        "logstorm.input.kafka.group": group,
        "logstorm.input.tasks": 2,
        "logstorm.output.path": out / "windows.jsonl",
        "logstorm.errors.path": out / "errors.jsonl",
        "logstorm.console": "false",
        **SERVER_OPTIONS,
        **extra,
    }


def consumer_lag(sink: Path) -> dict[str, float]:
    """topic/partition -> lag, as the dashboard's /metrics gives it."""
    text = exposition(WindowFeed(sink)).decode()
    found = re.findall(r'logstorm_kafka_consumer_lag\{partition="(\d+)",topic="([^"]+)"\} (\S+)',
                       text)  # fmt: skip
    return {f"{topic}/{p}": float(n) for p, topic, n in found}


def stop(run: SparseRun) -> None:
    run.interrupt()
    wait_for(lambda: not run.group_alive(), 60, "sparse run to stop", run.log)


def test_a_second_kafka_up_says_so_instead_of_starting_twins(kafka):
    again = sh([*KAFKA, "up"])
    assert again.returncode == 0 and "already running" in again.stdout


def test_logs_counts_a_kafka_topic_exactly_and_commits_what_it_counted(sample_topic, tmp_path):
    topic, partitions = sample_topic
    good = [line for i, line in enumerate(LINES, 1) if i != BROKEN_LINE]
    out, windows_topic = tmp_path / "out", new_topic(1)
    group, options = kafka_options(topic, out, **{"logstorm.output.kafka.topic": windows_topic})
    with SparseRun("logs", tmp_path / "run.log", options) as run:
        sink = out / "windows.jsonl"
        url = wait_for(lambda: first_window_with_total(sink, "url", len(good)), 240,
                       f"a URL window with {len(good)} requests", run.log)  # fmt: skip
        status = wait_for(lambda: first_window_with_total(sink, "status", len(good)), 120,
                          "a status window with every request", run.log)  # fmt: skip
        assert url["top"] == expected_url_top(good, 10)
        assert dict(status["top"]) == STATUSES
        # Acknowledged lines are committed to the group: no lag left on any partition.
        offsets = wait_for(lambda: all_committed(group), 60, "no lag in the group", run.log)
        assert [offsets[p][1] for p in range(3)] == [len(p) for p in partitions]
        # ... and the spouts report the same: Prometheus' consumer lag is 0 everywhere.
        wait_for(lambda: consumer_lag(sink) == {f"{topic}/{p}": 0 for p in range(3)}, 30,
                 "the spouts to report no consumer lag", run.log)  # fmt: skip
        shares = re.findall(rf"reads partitions (\[[0-9, ]*\]) of {topic}", run.output())
        assert sorted(shares) == ["[0, 2]", "[1]"]  # 2 spout tasks: partition mod 2
        written = len(complete_lines(sink))
        wait_for(lambda: len(read_partitions(windows_topic, 1)[0]) >= written, 60,
                 f"the windows topic to hold the first {written} windows", run.log)  # fmt: skip
        stop(run)
    assert all(partitions)  # the keys spread the lines over the 3 partitions
    errors = complete_records(out / "errors.jsonl")
    assert [e["reason"] for e in errors] == ["unterminated user-agent field"]
    [broken] = errors
    partition = int(re.fullmatch(rf"{topic}/([0-2])", broken["path"])[1])
    assert partitions[partition][broken["offset"]] == broken["line"] == LINES[BROKEN_LINE - 1]
    # The windows topic holds the JSONL's records, in order, keyed by metric.
    [records] = read_partitions(windows_topic, 1, keys=True)
    jsonl = complete_lines(sink)[: len(records)]
    assert len(records) >= written and [value for _, value in records] == jsonl
    assert [key for key, _ in records] == [json.loads(line)["metric"] for line in jsonl]


def test_event_time_on_kafka_gives_the_references_windows_per_partition(sample_topic, tmp_path):
    topic, partitions = sample_topic
    want, late = reference_by_partition(partitions, LATENESS)
    assert sum(late.values()) > 0  # the sample is shuffled within minutes: lateness matters
    out = tmp_path / "out"
    group, options = kafka_options(
        topic,
        out,
        **{
            "logstorm.time": "event",
            "logstorm.allowed_lateness_secs": LATENESS,
            "logstorm.input.mode": "spool",
            "logstorm.errors.samples.per.minute": 100_000,  # every late line written
        },  # fmt: skip
    )
    sink = out / "windows.jsonl"
    with SparseRun("logs", tmp_path / "run.log", options) as run:
        wait_for(lambda: all_committed(group), 300, "the topic read and committed", run.log)
        wait_for(lambda: len(complete_lines(sink)) >= len(want), 120,
                 f"{len(want)} windows", run.log)  # fmt: skip
        stop(run)
    assert window_rows(sink) == as_jsonl(want)  # every window, count and ranking, in JSON bytes
    errors = complete_records(out / "errors.jsonl")
    assert sum(e["reason"] == "late" for e in errors) == sum(late.values())


def test_an_unreachable_broker_ends_the_run_naming_it_and_the_fix(tmp_path):
    options = {
        "logstorm.input.kind": "kafka",
        "logstorm.input.kafka.servers": "127.0.0.1:9",  # nothing listens there
        "logstorm.output.path": tmp_path / "windows.jsonl",
        "logstorm.errors.path": tmp_path / "errors.jsonl",
    }
    with SparseRun("logs", tmp_path / "run.log", options) as run:
        wait_for(lambda: run.proc.poll() is not None, 240, "the run to end", run.log)
    assert run.proc.returncode != 0
    assert "cannot reach the Kafka broker at 127.0.0.1:9" in run.output()
    assert "make kafka-up" in run.output()
    sink = tmp_path / "windows.jsonl"  # the windows of the seconds before the end are empty
    windows = complete_records(sink)
    assert all(w["total"] == 0 for w in windows)
