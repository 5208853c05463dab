"""WordCount's bolts: SplitSentenceBolt and WordCountBolt (storm-starter's pair)."""

from __future__ import annotations

import os
import time
from typing import Any

from streamparse import Bolt, Tuple

from coalesced_writes import CoalescedWrites
from logstorm.atomic import write_json_atomic
from wordcount_example import options as opt
from wordcount_example.words import WordCounter, split_sentence


class SplitSentenceBolt(CoalescedWrites, Bolt):
    """Splits each sentence on single spaces and emits one tuple per word."""

    outputs = ["word"]

    def process(self, tup: Tuple) -> None:
        for word in split_sentence(tup.values[0]):
            self.emit([word])


class WordCountBolt(CoalescedWrites, Bolt):
    """Counts words (fields grouping makes each word one task's) and emits (word, count).

    Every tick it writes its counts to ``<wordcount.snapshot.dir>/counts-<task>.json``
    (when they changed) and every ``wordcount.log.secs`` logs its top words.
    """

    outputs = ["word", "count"]

    def initialize(self, storm_conf: dict[str, Any], context: dict[str, Any]) -> None:
        options = opt.read_wordcount_options(storm_conf)
        self.counter = WordCounter()
        self.snapshot_dir = options[opt.SNAPSHOT_DIR]
        self.log_secs = options[opt.LOG_SECS]
        self.snapshot_version = -1
        self.next_log = time.monotonic() + self.log_secs

    def process(self, tup: Tuple) -> None:
        word = tup.values[0]
        self.emit([word, self.counter.add(word)])

    def process_tick(self, tup: Tuple) -> None:
        if self.snapshot_dir and self.counter.version != self.snapshot_version:
            path = os.path.join(self.snapshot_dir, f"counts-{self.task_id}.json")
            write_json_atomic(path, self.counter.snapshot(self.task_id))
            self.snapshot_version = self.counter.version
        if time.monotonic() >= self.next_log:
            self.next_log += self.log_secs
            top = " ".join(f"{w}={c}" for w, c in self.counter.top(10))
            self.logger.info("word counts (task %s, top 10): %s", self.task_id, top)
