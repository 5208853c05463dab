"""What resolve_options resolved, recorded for patches 12 and 14 (resolved_options)."""

import streamparse.cli.run as run

from streamparse_storm2 import resolved_options
from streamparse_storm2.resolved_options import RESOLVED


def test_the_topology_its_options_and_name_are_recorded(monkeypatch, stub_resolve_options):
    stub_resolve_options(lambda *a, **kw: {"a": 1})
    monkeypatch.setattr(resolved_options, "RESOLVED", RESOLVED)
    resolved_options.apply()
    run.resolve_options(None, {}, "TopologyClass", "logs")
    assert RESOLVED == {"topology": "TopologyClass", "options": {"a": 1}, "name": "logs"}
    RESOLVED.clear()
