"""Patch 14: `sparse submit` checks the cluster's hosts first (cluster_hosts)."""

from types import SimpleNamespace

import pytest
import streamparse.cli.submit as submit

from streamparse_storm2 import BadOption, cluster_hosts
from streamparse_storm2.resolved_options import RESOLVED


def test_a_failed_host_check_stops_before_anything_is_killed(monkeypatch):
    killed = []
    monkeypatch.setattr(submit, "_kill_existing_topology", lambda *args: killed.append(args))

    class Logs:
        @staticmethod
        def check_hosts(options, hosts):
            if len(hosts) > 1:
                raise ValueError(f"{hosts} share no disk; fix: -o logstorm.input.kind=kafka")

    supervisors = [SimpleNamespace(host="a"), SimpleNamespace(host="b")]
    nimbus = SimpleNamespace(getClusterInfo=lambda: SimpleNamespace(supervisors=supervisors))
    RESOLVED.update(topology=Logs, options={}, name="logs")
    try:
        cluster_hosts.apply()
        with pytest.raises(BadOption, match="share no disk"):
            submit._kill_existing_topology("logs", False, None, nimbus)
        assert killed == []
        supervisors.pop()
        submit._kill_existing_topology("logs", False, None, nimbus)
        assert len(killed) == 1
    finally:
        RESOLVED.clear()
