"""The suite's Kafka broker (tools/kafka, in the session folder and on the port of
tests/suite_env.py) for the integration tests, and ways to look into it with clients
this project did not write (Kafka's own tools, librdkafka)."""

import os
import re
import subprocess
import time
import uuid
from pathlib import Path

import suite_env
from processes import command_lines_mentioning
from sparse_run import PROJECT

KAFKA = [str(PROJECT / ".venv" / "bin" / "python"), str(PROJECT / "tools" / "kafka")]
RUN = Path(os.environ["LOGSTORM_KAFKA_RUN"])
SERVERS = suite_env.kafka_servers()
# every option naming the brokers: the topologies' defaults are the user's 9092
SERVER_OPTIONS = {
    f"logstorm.{what}.kafka.servers": SERVERS for what in ("input", "output", "state")
}
JAVA_TOOLS = ["java", "-cp", str(PROJECT / ".cache" / "kafka" / "libs" / "*")]


def sh(argv, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(argv, cwd=PROJECT, capture_output=True, text=True, timeout=300, **kw)


def broker_processes() -> list[str]:
    """Command lines of the broker's live processes (those of its run folder)."""
    return command_lines_mentioning(str(RUN))


def new_topic(partitions: int = 3) -> str:
    """A topic of its own for one test."""
    name = f"access-{uuid.uuid4().hex[:8]}"
    created = sh([*KAFKA, "topic", name, str(partitions)])
    assert created.returncode == 0 and "created" in created.stdout, created.stdout + created.stderr
    return name


END_OFFSET_WAIT_SECS = 30.0


def end_offset(consumer, tp) -> int:
    """A partition's end offset, once it is answered: a client new to a topic just
    created fails at once with "Local: Unknown partition" until it has the topic's
    metadata, and a restarted broker answers "Not leader" until it leads it again."""
    from confluent_kafka import KafkaError, KafkaException

    deadline = time.monotonic() + END_OFFSET_WAIT_SECS
    while True:
        try:
            return consumer.get_watermark_offsets(tp, timeout=10)[1]
        except KafkaException as err:
            error = err.args[0]
            waiting = error.retriable() or error.code() in (
                KafkaError._UNKNOWN_PARTITION,
                KafkaError.NOT_LEADER_FOR_PARTITION,
            )
            if not waiting or time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def read_partitions(topic: str, partitions: int, keys: bool = False) -> list[list]:
    """Every record of each partition, in offset order (how the spout tasks read them):
    values, or (key, value) pairs."""
    from confluent_kafka import Consumer, TopicPartition

    consumer = Consumer({"bootstrap.servers": SERVERS, "group.id": "test-reader",
                         "enable.auto.commit": False})  # fmt: skip
    out = []
    for p in range(partitions):
        tp = TopicPartition(topic, p, 0)
        end = end_offset(consumer, tp)
        consumer.assign([tp])
        lines = []
        while len(lines) < end:
            # no more than are left: consume waits for as many as asked, up to its timeout
            for message in consumer.consume(min(1000, end - len(lines)), timeout=5):
                assert message.error() is None, message.error()
                value = message.value().decode()
                lines.append((message.key().decode(), value) if keys else value)
        out.append(lines)
    consumer.close()
    return out


def committed_records(topic: str, partition: int = 0) -> list[tuple[bytes, bytes]]:
    """(key, value) of every committed record of a partition, as a downstream consumer
    with ``isolation.level=read_committed`` reads them: what an aborted transaction
    wrote is skipped, and the transactions' markers are no records."""
    from confluent_kafka import Consumer, KafkaError, TopicPartition

    consumer = Consumer({"bootstrap.servers": SERVERS, "group.id": "test-reader",
                         "enable.auto.commit": False, "isolation.level": "read_committed",
                         "enable.partition.eof": True, "log_level": 0})  # fmt: skip
    tp = TopicPartition(topic, partition, 0)
    end_offset(consumer, tp)  # once the partition is known
    consumer.assign([tp])
    records, deadline = [], time.monotonic() + END_OFFSET_WAIT_SECS
    while time.monotonic() < deadline:
        message = consumer.poll(1.0)
        if message is None:
            continue
        if message.error() is not None:
            if message.error().code() == KafkaError._PARTITION_EOF:
                break
            raise AssertionError(message.error())
        records.append((message.key(), message.value()))
    else:
        raise AssertionError(f"{topic}: no end of partition {partition} within the deadline")
    consumer.close()
    return records


def console_produce(topic: str, lines: list[str], first_key: int = 0) -> None:
    """Kafka's own ConsoleProducer writes the lines, each keyed by its number so they
    spread over the partitions."""
    keyed = "".join(f"{first_key + i}\t{line}\n" for i, line in enumerate(lines))
    produced = sh([*JAVA_TOOLS, "org.apache.kafka.tools.ConsoleProducer", "--bootstrap-server",
                   SERVERS, "--topic", topic, "--property", "parse.key=true",
                   "--property", "key.separator=\t"], input=keyed)  # fmt: skip
    assert produced.returncode == 0, produced.stderr


def group_offsets(group: str) -> dict[int, tuple[int, int]]:
    """(committed offset, log end offset) per partition, from Kafka's consumer-group tool."""
    described = sh([*JAVA_TOOLS, "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand",
                    "--bootstrap-server", SERVERS, "--describe", "--group", group])  # fmt: skip
    rows = {}
    for line in described.stdout.splitlines():
        m = re.match(rf"{group}\s+\S+\s+(\d+)\s+(\d+|-)\s+(\d+)\s", line)
        if m:
            rows[int(m[1])] = (-1 if m[2] == "-" else int(m[2]), int(m[3]))
    return rows


def all_committed(group: str, partitions: int = 3) -> dict[int, tuple[int, int]] | None:
    """The group's offsets once every partition's committed offset is its end offset."""
    offsets = group_offsets(group)
    if len(offsets) == partitions and all(c == end for c, end in offsets.values()):
        return offsets
    return None
