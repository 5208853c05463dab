"""Patch 9: an option sets a component's parallelism (option_parallelism).

tests/test_option_check.py runs the venv's sparse with such options."""

from types import SimpleNamespace

import pytest
import streamparse.cli.common as common

from streamparse_storm2 import BadOption, option_parallelism


def topology_class():
    spec = SimpleNamespace(name="logfiles", par=1)
    thrift = SimpleNamespace(common=SimpleNamespace(parallelism_hint=1))
    return SimpleNamespace(option_parallelism={"logstorm.input.tasks": "logfiles"},
                           specs=[spec], thrift_spouts={"logfiles": thrift},
                           thrift_bolts={})  # fmt: skip


def test_the_option_sets_the_spouts_tasks(monkeypatch, stub_resolve_options):
    stub_resolve_options(lambda *a, **kw: {"logstorm.input.tasks": "3"})
    option_parallelism.apply()
    topology = topology_class()
    options = common.resolve_options(None, {}, topology, "logs")
    assert options["logstorm.input.tasks"] == 3
    assert topology.specs[0].par == 3
    assert topology.thrift_spouts["logfiles"].common.parallelism_hint == 3


def test_a_value_that_is_no_task_count_is_a_bad_option():
    with pytest.raises(BadOption, match=r"'logstorm.input.tasks' must be a whole number >= 1"):
        option_parallelism.option_parallelism(topology_class(), {"logstorm.input.tasks": 0})
