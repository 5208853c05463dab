"""Which left-out lines the errors file keeps: every one counted, a bounded few written.

A client sending garbage at 100,000 lines a second must neither fill the disk nor
slow the windows. So the parse bolt sends the error sink one tuple per chunk, not
one per bad line: how many lines it left out per (reason, metric), and a few of each
(no more than the sink may write in a minute), cut to ``SAMPLE_CHARS``
(:func:`chunk_errors`). The
sink adds every count to its tally (:class:`~logstorm.output.sinks.ErrorTally`) and
writes a sample only while the (reason, metric) has budget left this minute
(:class:`SampleBudget`); the tally says how many were counted and not written.
:class:`ErrorSampler` is the sink's part: a tuple in, the records to write out.

>>> errors = [{"reason": "bad", "offset": 10 * i, "line": "x" * 5000} for i in range(9)]
>>> counts, samples = chunk_errors(errors, per_key=5)
>>> counts, len(samples), len(samples[0][2]), samples[0][4]
([['bad', None, 9]], 5, 2048, 5000)
>>> budget = SampleBudget(per_minute=2)
>>> [budget.admit(("bad", None), now) for now in (0.0, 1.0, 2.0, 61.0)]
[True, True, False, True]
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

SAMPLE_CHARS = 2048  # a sample's line is cut there; its full length is kept

ErrorKey = tuple[str, "str | None"]  # (reason, metric or None)


def chunk_errors(
    errors: Iterable[dict[str, Any]], per_key: int, max_chars: int = SAMPLE_CHARS
) -> tuple[list[list[Any]], list[list[Any]]]:
    """A chunk's error records as ([[reason, metric, count], ...], samples), a sample
    being [reason, offset, line (cut to max_chars), metric, the line's length]."""
    counts: Counter[ErrorKey] = Counter()
    samples = []
    for error in errors:
        key = (error["reason"], error.get("metric"))
        counts[key] += 1
        if counts[key] <= per_key:
            line = error["line"]
            samples.append([key[0], error["offset"], line[:max_chars], key[1], len(line)])
    return [[reason, metric, n] for (reason, metric), n in counts.items()], samples


class SampleBudget:
    """At most per_minute samples of each (reason, metric) in each minute of the clock."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self.minute: int | None = None
        self.used: Counter[ErrorKey] = Counter()

    def admit(self, key: ErrorKey, now: float) -> bool:
        """Whether a sample of key may be written at time now (seconds); counts it if so."""
        minute = int(now // 60)
        if minute != self.minute:
            self.minute = minute
            self.used.clear()
        if self.used[key] >= self.per_minute:
            return False
        self.used[key] += 1
        return True


class ErrorSampler:
    """The error sink's core: counts a chunk's errors in tally and picks the samples to
    write, within budget.

    >>> from logstorm.output.sinks import ErrorTally
    >>> sampler = ErrorSampler(ErrorTally(), SampleBudget(per_minute=1))
    >>> sampler.take("a.log", [["bad", None, 3]], [["bad", 0, "x", None, 1],
    ...                                          ["bad", 5, "y" * 4, None, 9]], now=0.0)
    [{'reason': 'bad', 'path': 'a.log', 'offset': 0, 'line': 'x'}]
    >>> sampler.tally.as_dict()
    {'late': {}, 'malformed': {'bad': 3}, 'not_written': 2}
    """

    def __init__(self, tally: Any, budget: SampleBudget) -> None:
        self.tally, self.budget = tally, budget

    def take(
        self, path: str, counts: list[list[Any]], samples: list[list[Any]], now: float
    ) -> list[dict[str, Any]]:
        """Count counts ([[reason, metric, n], ...]); the error records of the samples
        (:func:`chunk_errors`) the budget admits at time now."""
        for reason, metric, n in counts:
            self.tally.add(reason, metric, n)
            self.tally.not_written += n
        kept = []
        for reason, offset, line, metric, length in samples:
            if self.budget.admit((reason, metric), now):
                record = {"reason": reason, "path": path, "offset": offset, "line": line}
                if metric is not None:
                    record["metric"] = metric
                if length > len(line):
                    record["line_chars"] = length  # the sample is the line's start
                kept.append(record)
        self.tally.not_written -= len(kept)
        return kept
