"""Where the spout cut its chunks, and how it stamped them, so a restart cuts them again.

In event time a window task counts each chunk once, by its id (file, generation, first
offset), so a chunk sent again must hold the same lines with the same stamp. From a
whole file that holds by itself; not at the end of a growing file (``tail`` mode): a
chunk cut at the end of what was written holds fewer lines than the same id cut after
a restart, when more was written, and files read in another order get other stamps.
So the spout records each new chunk's id (``fid/generation/start-end``) and stamp
here, in a log of a state store (:mod:`logstorm.state`: beside the position file,
or in the run's state for a Kafka spout task), before it emits the chunk: a file's
one ``write`` a ``kill -9`` cannot undo; in Kafka, synced before the chunk leaves. A
restarted spout cuts and stamps a chunk that starts where a recorded one started the
same way. Entries of committed chunks are dropped whenever the positions are saved.

>>> import tempfile
>>> from logstorm.sources.watermark import Stamp
>>> from logstorm.state.dir_store import DirStore
>>> folder = tempfile.mkdtemp()
>>> cuts = CutLog(DirStore(folder).log(".logstorm-positions.cuts.jsonl"))
>>> cuts.record("1:2/0/0-300", Stamp(90, {"url": [4]}, 120))
>>> cuts.record("1:2/0/300-420", Stamp(110, {}, 130))
>>> cuts.forget_committed(lambda chunk_id: chunk_id == "1:2/0/0-300")
>>> again = CutLog(DirStore(folder).log(".logstorm-positions.cuts.jsonl"))
>>> again.ends                            # where the chunk starting at 300 ends
{'1:2/0/300': 420}
>>> again.stamp("1:2/0/300-420")
Stamp(watermark=110, late={}, max_time=130)
"""

from __future__ import annotations

from collections.abc import Callable

from logstorm.sources.chunk_id import cut_key, parse_chunk_id
from logstorm.sources.watermark import Stamp
from logstorm.state.store import StateLog


class CutLog:
    """The chunks sent and not committed: their ids, so their ends, and their stamps."""

    def __init__(self, log: StateLog) -> None:
        self.log = log  # a line a crash cut: that chunk was not sent
        self.entries = {e["id"]: e for e in log.records()}
        self.ends = dict(_start_and_end(chunk_id) for chunk_id in self.entries)

    def record(self, chunk_id: str, stamp: Stamp) -> None:
        """A new chunk, about to be emitted."""
        entry = {"id": chunk_id, "watermark": stamp.watermark, "late": stamp.late,
                 "max_time": stamp.max_time}  # fmt: skip
        self.log.append([entry])
        self.entries[chunk_id] = entry
        start, end = _start_and_end(chunk_id)
        self.ends[start] = end

    def stamp(self, chunk_id: str) -> Stamp | None:
        """The stamp a recorded chunk was first sent with (None: not recorded)."""
        entry = self.entries.get(chunk_id)
        if entry is None:
            return None
        return Stamp(entry["watermark"], entry["late"], entry["max_time"])

    def forget_committed(self, committed: Callable[[str], bool]) -> None:
        """Drop the entries of chunks that will never be read again."""
        gone = [chunk_id for chunk_id in self.entries if committed(chunk_id)]
        if not gone:
            return
        for chunk_id in gone:
            del self.entries[chunk_id]
            self.ends.pop(_start_and_end(chunk_id)[0], None)
        self.log.rewrite(list(self.entries.values()))


def _start_and_end(cid: str) -> tuple[str, int]:
    source, start, end = parse_chunk_id(cid)
    return cut_key(source, start), end
