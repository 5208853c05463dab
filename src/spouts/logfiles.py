"""LogFileSpout: emits the lines of a directory's log files, or of a Kafka topic, reliably."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from streamparse import Spout, Stream

from logstorm import logs_options as opt
from logstorm.monitoring.ack_stats import AckStats, summary
from logstorm.monitoring.progress import ReplayProgress
from logstorm.monitoring.status import status_dir, write_status
from logstorm.parsing.accesslog import event_times
from logstorm.protocol.run_state import open_state, resumed_run
from logstorm.sources.chunks import Chunk
from logstorm.sources.cuts import CutLog
from logstorm.sources.files import LogDirectoryReader
from logstorm.sources.kafka import KafkaSource
from logstorm.sources.offsets import PositionFile
from logstorm.sources.source import Checkpoint, LineSource, SourceClock
from logstorm.sources.watermark import EventClock, PartitionClocks
from logstorm.state.dir_store import DirStore
from logstorm.state.store import StateStore
from logstorm.streams import ChunkTuple, WatermarkTuple, send
from logstorm.tasks import task_count, task_index
from multilang import spoken

IDLE_SLEEP_SECS = 0.05  # nothing to read: wait a little instead of spinning
SAVE_EVERY_SECS = 1.0  # position-file checkpoints at most this often
WATERMARK_EVERY_SECS = 0.2  # watermark broadcasts at most this often...
WATERMARK_REPEAT_SECS = 1.0  # ...and at least this often (a restarted task hears it)
DEFAULT_MAX_PENDING = 100
STATS_EVERY_SECS = 5.0  # a status file and a log line of acked tuples and complete latency


class LogFileSpout(Spout):
    """One tuple per chunk of lines (:class:`~logstorm.streams.ChunkTuple`), with a
    message id. Acked chunks advance the committed offsets (saved to the position
    file), failed ones are sent again, however often. One task per input directory.

    In event time (``logstorm.time=event``) files are read in name order, each chunk
    carries its event-time stamp (see :mod:`logstorm.sources.watermark`), and the watermark
    goes to every window task on the ``watermarks`` stream.

    With ``logstorm.input.kind=kafka`` the chunks are records of a Kafka topic's
    partitions instead (:class:`logstorm.sources.kafka.KafkaSource`; several tasks
    share the partitions), acked chunks advance the consumer group's committed
    offsets, and in event time each partition has its own clock; the spout drives
    both sources alike.
    """

    outputs = [
        Stream(fields=ChunkTuple.fields()),
        Stream(fields=WatermarkTuple.fields(), name=WatermarkTuple.stream),
    ]

    def initialize(self, storm_conf: dict[str, Any], context: dict[str, Any]) -> None:
        options = opt.read_logs_options(storm_conf)
        self.logger.info("logfiles task %d %s", task_index(context), spoken(self, storm_conf))
        self.clock: SourceClock | None = None
        self.reader: LineSource
        self.positions: Checkpoint
        self.cuts: CutLog | None = None
        self.cuts_state: StateStore | None = None  # a Kafka task's cut log: synced per chunk
        self.acked_unsaved: list[str] = []
        # the run whose window state goes with the checkpoint: it says so in every save
        run = resumed_run(options, storm_conf)
        if options[opt.INPUT_KIND] == "kafka":
            if options[opt.TIME] == "event" and opt.keeps_state(options):
                self.cuts_state = cuts_state = open_state(options, storm_conf, context, run=run)
                assert cuts_state is not None  # keeps_state: there is a store
                name = f"logfiles-{task_index(context)}.cuts.jsonl"
                self.cuts = CutLog(cuts_state.log(name))
            # the source is its own checkpoint: save() commits offsets to the group
            self.positions = self.reader = kafka = KafkaSource(
                options[opt.KAFKA_SERVERS],
                options[opt.KAFKA_TOPIC],
                options[opt.KAFKA_GROUP],
                options[opt.KAFKA_START],
                task_index(context),
                task_count(context, context["componentid"]),
                batch_lines=options[opt.BATCH_LINES],
                max_line_bytes=options[opt.MAX_LINE_BYTES],
                mode=options[opt.INPUT_MODE],
                cuts=self.cuts.ends if self.cuts is not None else None,
                run=run,
            )
            self.logger.info(
                "logfiles task %d reads partitions %s of %s from offsets %s",
                task_index(context), kafka.partitions, options[opt.KAFKA_TOPIC],
                kafka.resumed_offsets(),
            )  # fmt: skip
            if options[opt.TIME] == "event":
                self.clock = PartitionClocks(
                    options[opt.ALLOWED_LATENESS],
                    opt.slides(options),
                    kafka.resumed_max_times,
                    KafkaSource.source_of,
                )
        else:
            self._open_files(options)
            self.positions.run = run
        self.max_pending = storm_conf.get("topology.max.spout.pending") or DEFAULT_MAX_PENDING
        self.poll_secs = options[opt.POLL_SECS]
        self.idle_timeout = options[opt.IDLE_TIMEOUT]
        self.next_scan = 0.0
        self.next_save = 0.0
        self.last_read = time.monotonic()  # when the last new chunk was read
        self.sent_watermark: int | None = None
        self.next_watermark = 0.0
        self.repeat_watermark = 0.0
        self.warned: dict[str, str] = {}  # unreadable files already logged
        self.stats = AckStats()
        self.stats_since = time.monotonic()
        self.task = task_index(context)
        self.status_dir = status_dir(options[opt.OUTPUT_PATH])
        self.lines_acked = 0
        self.progress = None
        self.replay_over = False
        self.lag_unit = "records" if options[opt.INPUT_KIND] == "kafka" else "bytes"
        if options[opt.INPUT_KIND] == "files" and options[opt.INPUT_MODE] == "spool":
            self.progress = ReplayProgress(started=time.monotonic())
        self._report(0.0)  # the topology is up: the console and the dashboard see it

    def _open_files(self, options: dict[str, Any]) -> None:
        directory = options[opt.INPUT_PATH]
        if not os.path.isdir(directory):
            raise FileNotFoundError(
                f"{opt.INPUT_PATH}={directory!r} is not a folder; "
                f"fix: create it or pass -o {opt.INPUT_PATH}=<folder of log files>"
            )
        position_file = opt.position_file(options)
        self.positions = positions = PositionFile(position_file)
        if options[opt.TIME] == "event":
            self.clock = EventClock(
                options[opt.ALLOWED_LATENESS], opt.slides(options), positions.max_time
            )
            cut_log = Path(position_file).with_suffix(".cuts.jsonl")
            self.cuts = CutLog(DirStore(cut_log.parent).log(cut_log.name))
        self.reader = LogDirectoryReader(
            directory,
            options[opt.INPUT_PATTERN],
            options[opt.INPUT_MODE],
            positions,
            batch_lines=options[opt.BATCH_LINES],
            max_line_bytes=options[opt.MAX_LINE_BYTES],
            done_suffix=options[opt.DONE_SUFFIX],
            in_order=self.clock is not None,
            cuts=self.cuts.ends if self.cuts is not None else None,
        )

    def next_tuple(self) -> None:
        now = time.monotonic()
        if now >= self.next_scan:
            self.reader.scan()
            self.next_scan = now + self.poll_secs
            for path, why in self.reader.unreadable.items():
                if self.warned.get(path) != why:
                    self.logger.warning("cannot read %s (%s): skipped until readable", path, why)
            self.warned = dict(self.reader.unreadable)
        chunk = self.reader.next_chunk(allow_new=self.reader.pending() < self.max_pending)
        if chunk is not None:
            send(self, chunk.values(self._stamp(chunk, now)), tup_id=chunk.msg_id)
            self.stats.emitted(chunk.msg_id, now)
        if self.clock is not None:
            self._event_time(self.clock, now, idle=chunk is None)
        if chunk is None:
            time.sleep(IDLE_SLEEP_SECS)
        self._save_positions(now)
        replay_over = self.progress is not None and not self.replay_over and self.reader.drained()
        if now - self.stats_since >= STATS_EVERY_SECS or replay_over:
            self.replay_over = self.replay_over or replay_over  # said at once, then as usual
            self._report(now - self.stats_since)
            self.stats_since = now

    def _report(self, secs: float) -> None:
        """The last secs seconds in the log and in this task's status file."""
        report = self.stats.report(secs) if secs else {}
        if secs:
            self.lines_acked += report["acked_lines"]
            self.logger.info("logfiles: %s, %d pending", summary(report), self.reader.pending())
        report.update(at=time.time(), pending=self.reader.pending(), progress=None,
                      lines_total=self.lines_acked,
                      lag={"unit": self.lag_unit, "sources": self.reader.lag()})  # fmt: skip
        if self.progress is not None and isinstance(self.reader, LogDirectoryReader):
            files, bytes_ = self.reader.progress()
            report["progress"] = self.progress.report(
                files=files, bytes_=bytes_, lines=self.lines_acked, now=time.monotonic(),
                finished=self.reader.drained(),
            )  # fmt: skip
        try:
            write_status(self.status_dir, self.task, report)
        except OSError as err:  # the status is for people watching: never stop for it
            self.logger.warning("cannot write the status to %s: %s", self.status_dir, err)

    def _stamp(self, chunk: Chunk, now: float) -> dict[str, Any] | None:
        if self.clock is None:
            return None
        if self.clock.knows(chunk.msg_id):  # sent again
            return self.clock.stamp(chunk.msg_id, []).values()
        self.last_read = now  # a new chunk
        recorded = self.cuts.stamp(chunk.msg_id) if self.cuts is not None else None
        if recorded is not None:  # sent before a restart: as it was then
            self.clock.restore(chunk.msg_id, recorded)
            return recorded.values()
        stamp = self.clock.stamp(chunk.msg_id, event_times(chunk.text()))
        if self.cuts is not None:
            self.cuts.record(chunk.msg_id, stamp)  # before it leaves
            if self.cuts_state is not None:
                self.cuts_state.sync()
        return stamp.values()

    def _event_time(self, clock: SourceClock, now: float, idle: bool) -> None:
        """Close windows when input is over, and tell the window tasks the watermark."""
        if self.reader.drained():
            clock.finish()
        elif not self.reader.reachable():  # a broker away: no quiet spell of the log
            self.last_read = now
        elif idle and self.reader.mode == "tail" and now - self.last_read >= self.idle_timeout:
            clock.idle(now - self.last_read)
        if now < self.next_watermark:
            return
        watermark = clock.broadcast([*self.reader.inflight, *self.acked_unsaved])
        if watermark != self.sent_watermark or now >= self.repeat_watermark:
            send(self, WatermarkTuple(watermark))  # unreliable: a newer one follows
            self.sent_watermark = watermark
            self.repeat_watermark = now + WATERMARK_REPEAT_SECS
        self.next_watermark = now + WATERMARK_EVERY_SECS

    def ack(self, tup_id: str) -> None:
        chunk = self.reader.inflight.get(tup_id)
        if chunk is not None:
            self.stats.acked(tup_id, time.monotonic(), chunk.count)
        self.reader.ack(tup_id)
        if self.clock is not None:
            self.acked_unsaved.append(tup_id)  # done for the watermark once saved
        self._save_positions(time.monotonic())

    def fail(self, tup_id: str) -> None:
        self.stats.failed_tuple(tup_id)
        self.reader.fail(tup_id)

    def deactivate(self) -> None:
        self._save_positions(force=True)

    def _save_positions(self, now: float = 0.0, force: bool = False) -> None:
        if not (force or now >= self.next_save):
            return
        if self.acked_unsaved and self.clock is not None:  # event time only
            self._let_watermark_pass_committed(self.clock)
        if self.reader.dirty:
            if self.clock is not None:
                self.positions.max_time = self.clock.checkpoint_max_time(set(self.acked_unsaved))
            self.positions.save()
            if self.cuts is not None:
                self.cuts.forget_committed(self.reader.is_committed)
            self.reader.dirty = False
        self.next_save = now + SAVE_EVERY_SECS

    def _let_watermark_pass_committed(self, clock: SourceClock) -> None:
        """An acked chunk stops holding the watermark back only once its offsets are
        committed: a restarted spout sends again what the committed ones do not cover,
        and a window task forgets a chunk once the watermark passes its stamp (then it
        would count it twice). A file's offsets are saved right after this; a Kafka
        commit counts once Kafka confirmed it; a chunk above a gap waits for the gap."""
        unsaved = []
        for chunk_id in self.acked_unsaved:
            if self.reader.is_committed(chunk_id):
                clock.done(chunk_id)
            else:
                unsaved.append(chunk_id)
        self.acked_unsaved = unsaved
