"""The plain-Python core of WordCount: sentences, splitting, counting, options."""

import json
from collections import Counter

import pytest

from logstorm.atomic import write_json_atomic
from logstorm.options import OptionError, read_options
from logstorm.tasks import task_count, task_index
from wordcount_example import options as opt
from wordcount_example.sentences import SENTENCES, random_sentences
from wordcount_example.words import WordCounter, split_sentence


def test_the_five_sentences_of_storm_starter():
    assert SENTENCES == (
        "the cow jumped over the moon",
        "an apple a day keeps the doctor away",
        "four score and seven years ago",
        "snow white and the seven dwarfs",
        "i am at two with nature",
    )


def test_seeded_sentences_are_reproducible_per_task_and_bounded():
    first = list(random_sentences(7, 0, 50))
    assert first == list(random_sentences(7, 0, 50))
    assert len(first) == 50 and set(first) <= set(SENTENCES)
    assert first != list(random_sentences(7, 1, 50))  # each spout task its own sequence
    assert len(set(first)) > 1


def test_unseeded_sentences_are_endless():
    stream = random_sentences(None, 0)
    assert len([next(stream) for _ in range(1000)]) == 1000


def test_split_on_single_spaces_like_splitsentence_py():
    assert split_sentence("the cow jumped") == ["the", "cow", "jumped"]
    assert split_sentence("a  b") == ["a", "", "b"]


def test_counter_counts_and_ranks_ties_by_word():
    counter = WordCounter()
    for word in "b a b c a b".split():
        counter.add(word)
    assert counter.counts == Counter(b=3, a=2, c=1)
    assert counter.top(2) == [("b", 3), ("a", 2)]
    counter.add("a")
    assert counter.top(2) == [("a", 3), ("b", 3)]


def test_task_index_orders_a_components_tasks():
    context = {
        "taskid": 7,
        "componentid": "spout",
        "task->component": {"3": "spout", "7": "spout", "5": "split"},
    }
    assert task_index(context) == 1
    assert task_count(context, "spout") == 2 and task_count(context, "split") == 1


def test_options_defaults_and_values():
    options = read_options({opt.SEED: 3, "topology.workers": 1}, opt.TABLE)
    assert options[opt.SEED] == 3
    assert options[opt.PAUSE_MS] == 100
    assert options[opt.SENTENCES] == 0


def test_misspelt_option_is_named_with_a_suggestion():
    with pytest.raises(
        OptionError, match=r"unknown option 'wordcount.sed'.*did you mean 'wordcount.seed'"
    ):
        read_options({"wordcount.sed": 3}, opt.TABLE)


@pytest.mark.parametrize(
    ("key", "value"),
    [(opt.SEED, "seven"), (opt.SENTENCES, -1), (opt.PAUSE_MS, True), (opt.LOG_SECS, 0)],
)
def test_ill_typed_option_names_key_and_fix(key, value):
    with pytest.raises(OptionError) as err:
        read_options({key: value}, opt.TABLE)
    assert repr(key) in str(err.value) and f"fix: -o {key}=" in str(err.value)


def test_atomic_write_replaces_whole_file(tmp_path):
    target = tmp_path / "sub" / "state.json"
    write_json_atomic(target, {"a": 1})
    write_json_atomic(target, {"a": 2})
    assert json.loads(target.read_text()) == {"a": 2}
    assert [p.name for p in target.parent.iterdir()] == ["state.json"]  # no temp files left
