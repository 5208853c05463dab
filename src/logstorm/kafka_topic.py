"""Checking, before any line moves, that a Kafka topic can be reached: shared by the
Kafka source, the shipper and the traffic generator.

The broker that does not answer and the topic that does not exist are each an error
naming the servers or topic and the fix (start the broker, create the topic, or name
others with the caller's own option):

>>> from types import SimpleNamespace
>>> class Down:
...     def list_topics(self, topic, timeout):
...         raise RuntimeError("Local: Broker transport failure")
>>> topic_partitions(Down(), "127.0.0.1:9", "t", "--servers ", "--topic ")
Traceback (most recent call last):
...
logstorm.kafka_topic.KafkaUnavailable: cannot reach the Kafka broker at 127.0.0.1:9 (Local: \
Broker transport failure); fix: start it (make kafka-up) or pass --servers <host:port,...>
"""

from __future__ import annotations

from typing import Any

CONNECT_TIMEOUT_SECS = 10.0


class KafkaUnavailable(RuntimeError):
    """The broker or the topic is not there: the message names the fix."""


def topic_partitions(
    client: Any, servers: str, topic: str, servers_option: str, topic_option: str
) -> int:
    """How many partitions the topic has, asking the broker through client (a
    confluent_kafka Consumer, Producer or AdminClient)."""
    try:
        metadata = client.list_topics(topic, timeout=CONNECT_TIMEOUT_SECS)
    except Exception as err:  # KafkaException: no broker answered in time
        raise KafkaUnavailable(
            f"cannot reach the Kafka broker at {servers} ({err}); fix: start it "
            f"(make kafka-up) or pass {servers_option}<host:port,...>"
        ) from err
    found = metadata.topics.get(topic)
    if found is None or found.error is not None or not found.partitions:
        raise KafkaUnavailable(
            f"the topic {topic!r} does not exist on {servers}; fix: create it "
            f"(tools/kafka topic {topic} 3) or pass {topic_option}<name>"
        )
    return len(found.partitions)
