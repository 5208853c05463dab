"""Patch 1: `sparse run` runs `storm local` (streamparse_storm2.flux_local)."""

import pytest
import streamparse.cli.run as run

from streamparse_storm2 import flux_local
from streamparse_storm2.flux_local import FOREVER_SECS, storm2_local_command


def test_flux_local_run_becomes_storm_local():
    cmd = (
        "storm jar /p/_build/x-standalone.jar org.apache.storm.flux.Flux --local --no-splash "
        "--sleep 60 /tmp/t.yaml"
    )
    assert storm2_local_command(cmd) == (
        "storm local --local-ttl 60 /p/_build/x-standalone.jar "
        "org.apache.storm.flux.Flux --no-splash /tmp/t.yaml"
    )


def test_run_forever_is_bounded_below_long_overflow():
    cmd = (
        "storm jar a.jar org.apache.storm.flux.Flux --local --no-splash "
        "--sleep 9223372036854775807 t.yaml"
    )
    ttl = int(storm2_local_command(cmd).split()[3])
    assert ttl == FOREVER_SECS
    assert ttl * 1000 < 2**63 - 1


def test_other_commands_pass_through():
    for cmd in ("storm version", "lein uberjar", "storm jar a.jar Main"):
        assert storm2_local_command(cmd) == cmd


def test_run_local_gets_the_rewritten_command(monkeypatch):
    seen = []
    monkeypatch.setattr(run, "local", lambda command, **kw: seen.append(command))
    flux_local.apply()
    run.local("storm jar a.jar org.apache.storm.flux.Flux --local --no-splash --sleep 5 t.yaml")
    run.local("lein clean")
    assert seen == ["storm local --local-ttl 5 a.jar org.apache.storm.flux.Flux --no-splash t.yaml",
                    "lein clean"]  # fmt: skip


def test_the_topology_yaml_is_removed_once_storm_exited_even_after_a_signal(tmp_path, monkeypatch):
    yaml = tmp_path / "tmpab12.yaml"  # streamparse's NamedTemporaryFile(delete=False)

    def storm(command: str, **kw: object) -> None:
        assert yaml.exists()  # Storm reads it at its start
        raise SystemExit(143)  # stopped by SIGTERM (patch 15)

    monkeypatch.setattr(run, "local", storm)
    flux_local.apply()
    yaml.write_text("name: logs\n")
    with pytest.raises(SystemExit):
        run.local(
            f"storm jar a.jar org.apache.storm.flux.Flux --local --no-splash --sleep 5 {yaml}"
        )
    assert not yaml.exists()
