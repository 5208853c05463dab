"""AccessLogParseBolt: parses chunks of log lines into counts per URL and per status."""

from __future__ import annotations

from streamparse import Bolt, Stream, Tuple

from logstorm.combiner import count_chunk


class AccessLogParseBolt(Bolt):
    """Emits (url, count) on ``urls``, (status, count) on ``statuses`` and each bad line
    on ``errors``, all anchored to the chunk; the chunk is acked once they are emitted.
    A malformed line never fails the chunk nor stops the bolt.
    """

    outputs = [
        Stream(fields=["url", "count"], name="urls"),
        Stream(fields=["status", "count"], name="statuses"),
        Stream(fields=["reason", "path", "offset", "line"], name="errors"),
    ]

    def process(self, tup: Tuple) -> None:
        path, offsets, lines, cut = tup.values
        counts = count_chunk(path, offsets, lines, cut)
        for url, n in counts.urls.items():
            self.emit([url, n], stream="urls")
        for status, n in counts.statuses.items():
            self.emit([status, n], stream="statuses")
        for error in counts.errors:
            self.emit([error["reason"], path, error["offset"], error["line"]], stream="errors")
