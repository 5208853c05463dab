"""What every stage knows of a watermark: its two bounds, and how several merge.

A watermark (epoch seconds) says the windows ending at or before it hold every line
they will ever hold. Sources make them (:mod:`logstorm.sources.watermark`), window
tasks close windows by them (:mod:`logstorm.windows.event_time`), the rankings and
the state protocol keep them (:mod:`logstorm.protocol`).
"""

from __future__ import annotations

END_OF_TIME = 2**62  # the watermark once input is over: every window closes
NO_WATERMARK = -(2**62)  # before the first timestamp


class LowestWatermark:
    """The watermark of several sources (spout tasks): the lowest of the latest each
    sent, once every one of them has sent one; it never goes back.

    >>> merged = LowestWatermark(sources=2)
    >>> merged.update(source=1, watermark=100) is None   # task 2 not heard yet
    True
    >>> merged.update(2, 80), merged.update(2, 120), merged.update(1, 90)
    (80, 100, 100)
    """

    def __init__(self, sources: int) -> None:
        self.sources = sources
        self.latest: dict[object, int] = {}
        self.low: int | None = None

    def update(self, source: object, watermark: int) -> int | None:
        """Take one source's watermark; return the merged one (None until all sent)."""
        self.latest[source] = max(watermark, self.latest.get(source, NO_WATERMARK))
        if len(self.latest) >= self.sources:
            low = min(self.latest.values())
            self.low = low if self.low is None else max(self.low, low)
        return self.low
