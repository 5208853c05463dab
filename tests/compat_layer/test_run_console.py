"""Patch 12: `sparse run` prints the topology's console view (run_console)."""

import streamparse.cli.run as run

from streamparse_storm2 import run_console
from streamparse_storm2.resolved_options import RESOLVED
from streamparse_storm2.run_console import component_trouble


def test_a_components_warning_in_storms_log_becomes_one_line():
    line = ("10:00:01.5 ERROR o.a.s.t.ShellBolt [Thread-9] ShellLog pid:42, name:parse "
            "2026-12-02 10:00:01,500 - bad line")  # fmt: skip
    assert component_trouble(line) == "parse: error: bad line"


def test_a_topology_with_a_console_runs_with_it_unless_storm_is_asked_for(monkeypatch):
    shown, plain = [], []
    monkeypatch.setattr(run, "local", lambda command, **kw: plain.append(command))

    def run_with_console(command, console, options, name):
        shown.append((command, name))

    monkeypatch.setattr(run_console, "run_with_console", run_with_console)
    RESOLVED.update(topology=type("Logs", (), {"console": object}), options={}, name="logs")
    try:
        run_console.apply()
        monkeypatch.delenv("LOGSTORM_CONSOLE", raising=False)
        run.local("storm local --local-ttl 5 a.jar org.apache.storm.flux.Flux t.yaml")
        monkeypatch.setenv("LOGSTORM_CONSOLE", "storm")
        run.local("storm local --local-ttl 5 a.jar org.apache.storm.flux.Flux t.yaml")
        run.local("lein clean")
    finally:
        RESOLVED.clear()
    assert [name for _, name in shown] == ["logs"]
    assert plain == ["storm local --local-ttl 5 a.jar org.apache.storm.flux.Flux t.yaml",
                     "lein clean"]  # fmt: skip
