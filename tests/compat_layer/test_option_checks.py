"""Patch 11: options checked before anything is built or started (option_checks).

tests/test_option_check.py runs the venv's sparse with bad options (exit code 2)."""

import pytest
import streamparse.cli.common as common

from streamparse_storm2 import BadOption, option_checks
from streamparse_storm2.option_checks import check_option_syntax, option_values


def test_option_values_of_every_spelling():
    argv = ["run", "-o", "a=1", "--option", "b=2", "--option=c=3", "-t", "5"]
    assert option_values(argv) == ["a=1", "b=2", "c=3"]


def test_a_value_that_is_no_yaml_is_refused_with_the_quoting_fix():
    with pytest.raises(BadOption, match=r"'logstorm.input.pattern': '\*.log' is not a value"):
        check_option_syntax(["run", "-o", "logstorm.input.pattern=*.log"])
    with pytest.raises(BadOption, match="has no value"):
        check_option_syntax(["submit", "-o", "logstorm.input.kind"])
    check_option_syntax(["visualize", "-o", "out.png"])  # an output file there, not an option


def test_the_topology_classs_check_runs_on_the_resolved_options(monkeypatch, stub_resolve_options):
    class Topology:
        @staticmethod
        def check_options(options):
            raise ValueError(f"option 'x' is {options['x']!r}; fix: -o x=1")

    stub_resolve_options(lambda *a, **kw: {"x": 0})
    option_checks.apply()
    with pytest.raises(BadOption, match="option 'x' is 0"):
        common.resolve_options(None, {}, Topology, "logs")
