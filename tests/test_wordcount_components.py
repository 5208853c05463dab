"""WordCount's spout and bolts, each driven through the harness without Storm."""

import io
import json

import pytest
from pystorm.component import Component

from bolts.wordcount import SplitSentenceBolt, WordCountBolt
from harness import BoltHarness, SpoutHarness
from logstorm.options import OptionError
from spouts.sentences import RandomSentenceSpout
from wordcount_example.sentences import SENTENCES, random_sentences


def spout(**conf):
    return SpoutHarness(RandomSentenceSpout, {"wordcount.pause.ms": 0, **conf}, name="spout")


def test_spout_emits_unreliable_random_sentences():
    h = spout()
    emits = [e for _ in range(20) for e in h.next_tuple()]
    assert len(emits) == 20
    assert all(e["tuple"][0] in SENTENCES for e in emits)
    assert all("id" not in e for e in emits)  # like the Java spout: no message id


def test_reliable_spout_numbers_its_sentences_and_ignores_acks_and_fails():
    h = spout(**{"wordcount.reliable": True})
    emits = [e for _ in range(3) for e in h.next_tuple()]
    assert [e["id"] for e in emits] == [1, 2, 3]
    assert h.ack(1) == [] and h.fail(2) == []  # a failed sentence is not sent again
    assert [e["id"] for e in h.next_tuple()] == [4]


def test_spout_rejects_a_reliable_option_that_is_not_a_boolean():
    with pytest.raises(OptionError, match="wordcount.reliable"):
        spout(**{"wordcount.reliable": "yes"})


def test_seeded_spout_emits_exactly_its_limit_then_idles():
    h = spout(**{"wordcount.seed": 5, "wordcount.sentences": 3})
    emitted = [e["tuple"][0] for _ in range(5) for e in h.next_tuple()]
    assert emitted == list(random_sentences(5, 0, 3))


def test_spout_task_index_selects_its_own_sequence():
    h = SpoutHarness(
        RandomSentenceSpout,
        {"wordcount.pause.ms": 0, "wordcount.seed": 5, "wordcount.sentences": 4},
        name="spout",
        task_id=9,
        task_ids=(4, 9),
    )
    emitted = [e["tuple"][0] for _ in range(4) for e in h.next_tuple()]
    assert emitted == list(random_sentences(5, 1, 4))


def test_spout_rejects_a_misspelt_option_at_start():
    with pytest.raises(OptionError, match="wordcount.sentence"):
        spout(**{"wordcount.sentence": 10})


def test_split_bolt_emits_each_word_anchored_and_acks():
    h = BoltHarness(SplitSentenceBolt, name="split")
    tup = h.feed(["the cow jumped over the moon"])
    assert h.emitted() == [["the"], ["cow"], ["jumped"], ["over"], ["the"], ["moon"]]
    assert all(m["anchors"] == [tup.id] for m in h.messages("emit"))
    assert h.acked() == [tup.id]


def test_count_bolt_emits_running_count_per_tuple():
    h = BoltHarness(WordCountBolt, name="count")
    for word in ["the", "cow", "the"]:
        h.feed([word])
    assert h.emitted() == [["the", 1], ["cow", 1], ["the", 2]]
    assert len(h.acked()) == 3


def test_count_bolt_writes_snapshot_on_first_tick_then_when_changed(tmp_path):
    h = BoltHarness(
        WordCountBolt, {"wordcount.snapshot.dir": str(tmp_path)}, name="count", task_id=4
    )
    h.tick()
    snapshot = tmp_path / "counts-4.json"
    assert json.loads(snapshot.read_text()) == {"task": 4, "counts": {}}  # the task is up
    h.feed(["moon"])
    h.feed(["moon"])
    tick = h.tick()
    assert json.loads(snapshot.read_text()) == {"task": 4, "counts": {"moon": 2}}
    assert tick.id in h.acked()
    snapshot.unlink()
    h.tick()
    assert not snapshot.exists()  # unchanged counts are not rewritten


def test_count_bolt_logs_its_top_words(caplog):
    h = BoltHarness(WordCountBolt, {"wordcount.log.secs": 1}, name="count")
    h.feed(["moon"])
    h.component.next_log = 0  # the log period has elapsed
    with caplog.at_level("INFO"):
        h.tick()
    assert "word counts (task 1, top 10): moon=1" in caplog.text


def test_messages_wait_for_the_next_read_then_go_out_together_in_order():
    out = io.BytesIO()
    bolt = SplitSentenceBolt(input_stream=io.BytesIO(b'{"id": "7"}\nend\n'), output_stream=out)
    bolt.send_message({"command": "emit", "tuple": ["cow"]})
    bolt.send_message({"command": "ack", "id": "6"})
    assert out.getvalue() == b""  # nothing written yet
    assert bolt.read_message() == {"id": "7"}
    assert out.getvalue() == (
        b'{"command": "emit", "tuple": ["cow"]}\nend\n{"command": "ack", "id": "6"}\nend\n'
    )


def test_messages_are_written_before_the_component_exits(monkeypatch):
    monkeypatch.setattr(Component, "_exit", lambda self, status: None)  # keep pytest alive
    out = io.BytesIO()
    spout = RandomSentenceSpout(input_stream=io.BytesIO(), output_stream=out)
    spout.send_message({"command": "error", "msg": "boom"})
    spout._exit(1)
    assert out.getvalue() == b'{"command": "error", "msg": "boom"}\nend\n'
