"""The shipper: tails a folder of log files into a Kafka topic, the part Flume or
Filebeat plays on each web server.

    python -m logstorm.shipping.shipper --dir /var/log/apache2 [--pattern 'access*.log']
        [--servers 127.0.0.1:9092] [--topic access-log] [--positions FILE]

It reads with the log-file spout's own reader (:mod:`logstorm.sources.files`: new
files, rotation by rename, copytruncate, a trailing line held until complete), sends
each chunk of lines through the idempotent producer (:mod:`logstorm.shipping.producer`)
and moves a file's saved position over a chunk only once Kafka confirmed every
line of it (a chunk Kafka refused is sent again). A shipper killed at any moment
loses nothing: restarted, it sends again what was read after its saved positions, so
a line may reach the topic twice (at-least-once), never zero times.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from collections.abc import Callable, Sequence

from logstorm.kafka_topic import KafkaUnavailable
from logstorm.shipping.producer import LineProducer
from logstorm.sources.files import LogDirectoryReader
from logstorm.sources.offsets import PositionFile

SCAN_EVERY_SECS = 1.0
SAVE_EVERY_SECS = 1.0
IDLE_SLEEP_SECS = 0.05
MAX_PENDING_CHUNKS = 100
STOP_FLUSH_SECS = 10.0


class Shipper:
    """Moves chunks from a reader to a producer, and saves positions of delivered ones."""

    def __init__(
        self, reader: LogDirectoryReader, positions: PositionFile, producer: LineProducer
    ) -> None:
        self.reader, self.positions, self.producer = reader, positions, producer
        self.next_scan = self.next_save = 0.0
        self.shipped = 0  # lines Kafka confirmed

    def step(self, now: float) -> bool:
        """One round: answers from Kafka, then one chunk sent; False if nothing to send."""
        if now >= self.next_scan:
            self.reader.scan()
            self.next_scan = now + SCAN_EVERY_SECS
        for chunk_id, delivered in self.producer.results():
            chunk = self.reader.inflight.get(chunk_id)
            if chunk is None:
                continue  # read before its file was truncated: its range is gone
            if delivered:
                self.shipped += chunk.count
                self.reader.ack(chunk_id)
            else:
                self.reader.fail(chunk_id)  # sent again by next_chunk
        chunk = self.reader.next_chunk(allow_new=self.reader.pending() < MAX_PENDING_CHUNKS)
        if chunk is not None:
            # one record per line; the chunk's text splits into them without a Line each
            self.producer.send(chunk.msg_id, chunk.text().encode().split(b"\n"))
        if self.reader.dirty and now >= self.next_save:
            self.save()
            self.next_save = now + SAVE_EVERY_SECS
        return chunk is not None

    def save(self) -> None:
        self.positions.save()
        self.reader.dirty = False

    def run(self, stopping: Callable[[], bool]) -> None:
        """Ship until stopping() says so, then wait for Kafka's answers and save."""
        while not stopping():
            if not self.step(time.monotonic()):
                time.sleep(IDLE_SLEEP_SECS)
        self.producer.flush(STOP_FLUSH_SECS)
        self.step(time.monotonic())
        self.save()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m logstorm.shipping.shipper",
        description="Tail a folder of log files into a Kafka topic.",
    )
    parser.add_argument("--dir", required=True, help="folder of the log files")
    parser.add_argument("--pattern", default="*", help="glob of the file names (default *)")
    parser.add_argument("--servers", default="127.0.0.1:9092", help="Kafka bootstrap servers")
    parser.add_argument("--topic", default="access-log", help="topic (default access-log)")
    parser.add_argument("--positions", help="position file (default <dir>/.logstorm-shipper.json)")
    args = parser.parse_args(argv)
    if not os.path.isdir(args.dir):
        parser.error(f"--dir {args.dir!r} is not a folder; fix: create it or name another")
    positions = PositionFile(args.positions or os.path.join(args.dir, ".logstorm-shipper.json"))
    reader = LogDirectoryReader(args.dir, args.pattern, "tail", positions, batch_lines=1000,
                                max_line_bytes=1024 * 1024)  # fmt: skip
    try:
        producer = LineProducer(args.servers, args.topic)
    except KafkaUnavailable as err:
        print(f"shipper: {err}", file=sys.stderr)
        return 2
    stop = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.append(True))
    print(f"shipper: {args.dir} -> {args.topic} on {args.servers}", file=sys.stderr, flush=True)
    shipper = Shipper(reader, positions, producer)
    shipper.run(lambda: bool(stop))
    print(f"shipper: {shipper.shipped} lines confirmed by Kafka", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
