"""Patch 7: `sparse stats` reads Storm 2's UI REST API (stats_storm2)."""

import sys

import pytest
import streamparse.cli.stats as stats
import streamparse.util as util

from streamparse_storm2 import UserError, stats_storm2
from streamparse_storm2.stats_storm2 import with_nimbus_uptime


def test_cluster_summary_gets_the_leaders_uptime_as_storm_1_gave_it():
    nimbuses = {
        "nimbuses": [
            {"status": "Not a Leader", "nimbusUpTime": "5s"},
            {"status": "Leader", "nimbusUpTime": "2m 13s"},
        ]
    }
    summary = with_nimbus_uptime({"supervisors": 1}, nimbuses)
    assert summary == {"supervisors": 1, "nimbusUptime": "2m 13s"}
    assert with_nimbus_uptime({"nimbusUptime": "9s"}, nimbuses) == {"nimbusUptime": "9s"}
    assert with_nimbus_uptime({}, {"nimbuses": []})["nimbusUptime"] == "no leader"


def test_sparse_stats_piped_elsewhere_does_not_wrap_component_names(monkeypatch):
    """`sparse stats | grep url_window` finds the line (no wrap at 80 columns)."""
    stats_storm2.apply()
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False)
    table = util.Texttable()
    name = "url_window_" + "x" * 120
    table.add_rows([["component", "executed"], [name, 1]])
    assert any(name in line for line in table.draw().splitlines())


def test_a_topology_that_is_not_running_is_named(monkeypatch):
    monkeypatch.setattr(stats, "_get_topology_id", lambda env, name, config_file=None: None)
    stats_storm2.apply()
    with pytest.raises(UserError, match="no topology named 'logs' is running"):
        stats._get_topology_id("cluster", "logs")
