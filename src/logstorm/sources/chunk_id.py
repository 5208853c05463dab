"""A chunk's id, ``<source>/<start>-<end>``: where its lines come from and their range.

The source is a file's id and generation (``<fid>/<generation>``) or a Kafka partition
(``<topic>/<partition>``); start and end are the file's byte offsets or the
partition's record offsets, end excluded. The id is the spout's message id, the key
of the chunk's recorded cut (``<source>/<start>``, :mod:`logstorm.sources.cuts`), and,
with ``#<part>`` added, the id of a window task's bundle of the chunk.

>>> cid = chunk_id("access-log/2", 40, 42)
>>> cid, parse_chunk_id(cid), cut_key("access-log/2", 40)
('access-log/2/40-42', ChunkId(source='access-log/2', start=40, end=42), 'access-log/2/40')
>>> bundle_id(cid, 1)
'access-log/2/40-42#1'
"""

from __future__ import annotations

from typing import NamedTuple


class ChunkId(NamedTuple):
    source: str
    start: int
    end: int


def chunk_id(source: str, start: int, end: int) -> str:
    """The id of the lines of source from start to end."""
    return f"{source}/{start}-{end}"


def parse_chunk_id(cid: str) -> ChunkId:
    """A chunk id's source and range."""
    source, offsets = cid.rsplit("/", 1)
    start, end = offsets.split("-")
    return ChunkId(source, int(start), int(end))


def cut_key(source: str, start: int) -> str:
    """The key of the cut recorded for the chunk of source that starts at start."""
    return f"{source}/{start}"


def bundle_id(cid: str, part: int) -> str:
    """The id of a window task's part of a chunk's counts."""
    return f"{cid}#{part}"
