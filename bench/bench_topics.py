"""The benchmarks' Kafka topics: each run makes fresh ones on the project's broker,
which would keep them, a gigabyte or more each, until deleted (after a few dozen runs
`run/kafka` held 16 GB and the disk filled). A topic made here is deleted when the
script exits.

    made = make_topic("bench-123", 3)   # tools/kafka topic bench-123 3, deleted at exit
"""

from __future__ import annotations

import atexit
import contextlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# tools/kafka's broker: 9092, or the port LOGSTORM_KAFKA_PORT gives it (the test suite's)
BROKER = f"127.0.0.1:{os.environ.get('LOGSTORM_KAFKA_PORT') or 9092}"
_MADE: list[str] = []


def make_topic(name: str, partitions: int) -> subprocess.CompletedProcess[str]:
    """Create name with partitions (tools/kafka topic); it is deleted at exit."""
    made = subprocess.run([sys.executable, str(ROOT / "tools" / "kafka"), "topic", name,
                           str(partitions)], capture_output=True, text=True)  # fmt: skip
    if made.returncode == 0:
        if not _MADE:
            atexit.register(delete_made_topics)  # before a broker started here stops
        _MADE.append(name)
    return made


def delete_made_topics() -> None:
    """Delete the topics made so far (a broker gone by then keeps them: nothing to do)."""
    from confluent_kafka.admin import AdminClient

    admin = AdminClient({"bootstrap.servers": BROKER, "log_level": 0})
    for done in admin.delete_topics(list(_MADE), operation_timeout=30).values():
        with contextlib.suppress(Exception):  # KafkaException: gone already, or no broker
            done.result(timeout=60)
    _MADE.clear()
