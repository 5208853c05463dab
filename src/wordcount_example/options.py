"""Options of the wordcount topology (``sparse run -n wordcount -o wordcount.seed=7``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from logstorm.options import Option, non_negative, positive, read_options

SEED = "wordcount.seed"
SENTENCES = "wordcount.sentences"
PAUSE_MS = "wordcount.pause.ms"
SNAPSHOT_DIR = "wordcount.snapshot.dir"
LOG_SECS = "wordcount.log.secs"
RELIABLE = "wordcount.reliable"

TABLE = (
    Option(SEED, int, None, "seed of the random sentences; unset draws a fresh sequence"),
    Option(SENTENCES, int, 0, "sentences per spout task, 0 for endless", non_negative, ">= 0"),
    Option(
        PAUSE_MS, int, 100, "pause per next_tuple, as storm-starter's spout", non_negative, ">= 0"
    ),
    Option(SNAPSHOT_DIR, str, "", "folder where count tasks write counts-<task>.json"),
    Option(LOG_SECS, int, 10, "seconds between top-words log lines", positive, "> 0"),
    Option(
        RELIABLE,
        bool,
        False,
        "emit sentences with message ids, so Storm tracks acks and complete latency",
    ),
)


def read_wordcount_options(conf: Mapping[str, Any]) -> dict[str, Any]:
    """Every wordcount.* option, checked (raises OptionError naming the key)."""
    return read_options(conf, TABLE)
