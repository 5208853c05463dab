"""RandomSentenceSpout: storm-starter's random-sentence spout in Python."""

from __future__ import annotations

import time
from typing import Any

from streamparse import Spout

from coalesced_writes import CoalescedWrites
from logstorm.tasks import task_index
from multilang import spoken
from wordcount_example import options as opt
from wordcount_example.sentences import random_sentences


class RandomSentenceSpout(CoalescedWrites, Spout):
    """Emits one random sentence per next_tuple after a pause (100 ms by default).

    Like the Java spout the emits are unreliable (no message id), unless
    ``wordcount.reliable`` is set: then each sentence gets a message id (1, 2, ...)
    so Storm tracks its tuple tree (acks, complete latency); a failed tree is not
    sent again. With ``wordcount.seed`` and ``wordcount.sentences`` set, each task
    emits a fixed, reproducible number of sentences and then goes quiet.
    """

    outputs = ["sentence"]

    def initialize(self, storm_conf: dict[str, Any], context: dict[str, Any]) -> None:
        options = opt.read_wordcount_options(storm_conf)
        self.logger.info("sentences task %d %s", task_index(context), spoken(self, storm_conf))
        self.pause = options[opt.PAUSE_MS] / 1000.0
        self.reliable = options[opt.RELIABLE]
        self.emitted = 0
        self.sentences = random_sentences(
            options[opt.SEED], task_index(context), options[opt.SENTENCES]
        )

    def next_tuple(self) -> None:
        if self.pause:
            time.sleep(self.pause)
        sentence = next(self.sentences, None)
        if sentence is None:
            time.sleep(0.1)  # limit reached: stay idle without spinning
            return
        self.emitted += 1
        self.emit([sentence], tup_id=self.emitted if self.reliable else None)
