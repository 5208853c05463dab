"""The streamparse 5.0.1 / Storm 2 compatibility layer (compat/streamparse_storm2.py)."""

import os
import shlex
import signal
import subprocess
import sys

import pytest
from sparse_run import wait_for

import streamparse_storm2 as compat


def test_flux_local_run_becomes_storm_local():
    cmd = (
        "storm jar /p/_build/x-standalone.jar org.apache.storm.flux.Flux --local --no-splash "
        "--sleep 60 /tmp/t.yaml"
    )
    assert compat.storm2_local_command(cmd) == (
        "storm local --local-ttl 60 /p/_build/x-standalone.jar "
        "org.apache.storm.flux.Flux --no-splash /tmp/t.yaml"
    )


def test_run_forever_is_bounded_below_long_overflow():
    cmd = (
        "storm jar a.jar org.apache.storm.flux.Flux --local --no-splash "
        "--sleep 9223372036854775807 t.yaml"
    )
    ttl = int(compat.storm2_local_command(cmd).split()[3])
    assert ttl == compat.FOREVER_SECS
    assert ttl * 1000 < 2**63 - 1


def test_other_commands_pass_through():
    for cmd in ("storm version", "lein uberjar", "storm jar a.jar Main"):
        assert compat.storm2_local_command(cmd) == cmd


def test_storm_core_version_tolerates_scope_and_exclusions():
    tree = (
        ' [org.apache.storm/flux-core "2.8.3" :exclusions [[x/y]]]\n'
        ' [org.apache.storm/storm-core "2.8.3" :scope "provided" :exclusions [[x/y]]]\n'
        '   [org.apache.storm/storm-server "2.8.3"]\n'
    )
    assert compat.storm_core_version(tree) == "2.8.3"


def test_storm_core_version_requires_exactly_one():
    with pytest.raises(RuntimeError, match="storm-core"):
        compat.storm_core_version('[org.apache.storm/storm-client "2.8.3"]')


def test_missing_environment_means_local():
    seen = []

    def get_env_config(env_name=None, config_file=None):
        seen.append(env_name)
        return env_name, {}

    wrapped = compat.default_to_local_env(get_env_config)
    wrapped()
    wrapped("cluster")
    assert seen == ["local", "cluster"]


def test_storm_home_matches_project_clj():
    assert compat.storm_home().name == "apache-storm-2.8.3"


def test_environment_paths_are_taken_from_the_project_root():
    env = compat.checked_env(
        "cluster", {"virtualenv_root": "run/venvs", "log": {"path": "run/logs", "level": "info"}}
    )
    assert env["virtualenv_root"] == str(compat.PROJECT_ROOT / "run" / "venvs")
    assert env["log"] == {"path": str(compat.PROJECT_ROOT / "run" / "logs"), "level": "info"}


def test_an_unfilled_placeholder_is_refused_naming_its_key():
    with pytest.raises(SystemExit, match=r"'prod' still has the placeholder '<WORKER_HOST>'"):
        compat.checked_env("prod", {"nimbus": "n1:6627", "workers": ["<WORKER_HOST>"]})


def test_missing_virtualenv_only_when_the_project_prepares_them(tmp_path):
    prepared = {"use_virtualenv": True, "install_virtualenv": False, "virtualenv_root": tmp_path}
    assert compat.missing_virtualenv(prepared, "logs") == tmp_path / "logs"
    (tmp_path / "logs" / "bin").mkdir(parents=True)
    (tmp_path / "logs" / "bin" / "streamparse_run").touch()
    assert compat.missing_virtualenv(prepared, "logs") is None
    assert compat.missing_virtualenv({"use_virtualenv": False}, "logs") is None


def test_cluster_summary_gets_the_leaders_uptime_as_storm_1_gave_it():
    nimbuses = {
        "nimbuses": [
            {"status": "Not a Leader", "nimbusUpTime": "5s"},
            {"status": "Leader", "nimbusUpTime": "2m 13s"},
        ]
    }
    summary = compat.with_nimbus_uptime({"supervisors": 1}, nimbuses)
    assert summary == {"supervisors": 1, "nimbusUptime": "2m 13s"}
    assert compat.with_nimbus_uptime({"nimbusUptime": "9s"}, nimbuses) == {"nimbusUptime": "9s"}
    assert compat.with_nimbus_uptime({}, {"nimbuses": []})["nimbusUptime"] == "no leader"


def test_storms_side_of_multilang_follows_the_components_serializer(monkeypatch):
    monkeypatch.delenv("LOGSTORM_SERIALIZER", raising=False)
    assert compat.components_serializer({}, {"serializer": "msgpack"}) == "msgpack"
    assert compat.components_serializer({"serializer": "json"}, {"serializer": "msgpack"}) == "json"
    monkeypatch.setenv("LOGSTORM_SERIALIZER", "json")  # one command's override
    assert compat.components_serializer({"serializer": "msgpack"}, {}) == "json"
    options = {}
    compat.multilang_serializer("json", options)
    assert options == {"topology.multilang.serializer": "org.apache.storm.multilang.JsonSerializer"}


def test_a_serializer_the_two_sides_would_not_share_stops_before_storm_starts(monkeypatch):
    monkeypatch.setenv("LOGSTORM_SERIALIZER", "pickle")
    with pytest.raises(compat.UserError, match="'pickle' is not one Storm and pystorm both speak"):
        compat.components_serializer({}, {})
    json_side = {"topology.multilang.serializer": "org.apache.storm.multilang.JsonSerializer"}
    with pytest.raises(compat.UserError) as stopped:
        compat.multilang_serializer("msgpack", json_side)
    assert "option 'topology.multilang.serializer'" in str(stopped.value)
    assert "would die at the handshake" in str(stopped.value)


def test_the_topology_jar_is_built_again_only_when_src_or_project_clj_changed(tmp_path):
    (tmp_path / "src" / "bolts").mkdir(parents=True)
    (tmp_path / "_build").mkdir()
    (tmp_path / "project.clj").write_text("(defproject x)")
    bolt = tmp_path / "src" / "bolts" / "a.py"
    bolt.write_text("A = 1\n")
    builds = []

    def build(simple_jar=False):
        builds.append(simple_jar)
        jar = tmp_path / "_build" / "x-standalone.jar"
        jar.write_bytes(b"PK")
        return str(jar)

    jar_for_deploy = compat.reused_jar(build, root=tmp_path)
    first = jar_for_deploy()
    (tmp_path / "src" / "bolts" / "__pycache__").mkdir()
    (tmp_path / "src" / "bolts" / "__pycache__" / "a.pyc").write_bytes(b"\0")  # not an input
    assert jar_for_deploy() == first and builds == [False]
    bolt.write_text("A = 2\n")
    assert jar_for_deploy() == first and builds == [False, False]
    assert jar_for_deploy(simple_jar=True) and builds == [False, False, True]
    (tmp_path / "_build" / "x-standalone.jar").unlink()  # lein clean, or another command
    assert jar_for_deploy(simple_jar=True) and builds == [False, False, True, True]


def test_sigterm_to_sparse_run_stops_storm_and_exits_143(tmp_path):
    """Patch 15: what `timeout` or systemd sends reaches the `storm local` process too."""
    pid_file = tmp_path / "storm.pid"
    fake_storm = (
        f"import os, time; open({str(pid_file)!r}, 'w').write(str(os.getpid())); time.sleep(60)"
    )
    script = (
        "import streamparse_storm2 as c; "
        f"c.run_storm_local({shlex.join([sys.executable, '-c', fake_storm])!r}, None)"
    )
    sparse = subprocess.Popen([sys.executable, "-c", script])
    storm_pid = int(wait_for(lambda: pid_file.exists() and pid_file.read_text(), 30, "storm"))
    sparse.send_signal(signal.SIGTERM)
    assert sparse.wait(timeout=30) == 143
    with pytest.raises(ProcessLookupError):
        os.kill(storm_pid, 0)


def test_sparse_stats_piped_elsewhere_does_not_wrap_component_names(monkeypatch):
    """Patch 7: `sparse stats | grep url_window` finds the line (no wrap at 80 columns)."""
    import streamparse.cli.stats as stats
    import streamparse.util as util

    for module, name in ((util, "Texttable"), (util, "get_ui_jsons"), (stats, "get_ui_jsons"),
                         (stats, "_get_topology_id")):  # fmt: skip
        monkeypatch.setattr(module, name, getattr(module, name))  # undone after the test
    compat._patch_stats()
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False)
    table = util.Texttable()
    name = "url_window_" + "x" * 120
    table.add_rows([["component", "executed"], [name, 1]])
    assert any(name in line for line in table.draw().splitlines())
