"""The random-sentence source of storm-starter's WordCountTopology.

A seeded source makes a run reproducible: with the same seed and spout task
index, :func:`random_sentences` yields the same sentences, so a test can compute
the exact word counts a topology run must reach.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

SENTENCES = (
    "the cow jumped over the moon",
    "an apple a day keeps the doctor away",
    "four score and seven years ago",
    "snow white and the seven dwarfs",
    "i am at two with nature",
)


def random_sentences(seed: int | None, task_index: int, limit: int = 0) -> Iterator[str]:
    """Sentences drawn uniformly from SENTENCES, like storm-starter's RandomSentenceSpout.

    seed None draws from OS entropy; otherwise each spout task (task_index) gets its
    own reproducible sequence. limit 0 means endless.
    """
    rng = random.Random(None if seed is None else f"{seed}:{task_index}")
    emitted = 0
    while limit == 0 or emitted < limit:
        yield rng.choice(SENTENCES)
        emitted += 1
