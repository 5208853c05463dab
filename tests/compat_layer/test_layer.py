"""The package: the version guard, every patch's target checked, the order, sparse itself."""

import importlib
import subprocess
import sys

import pytest
from sparse_run import SPARSE

import streamparse_storm2 as compat
from streamparse_storm2 import MissingTarget, StreamparseVersionError

# Each patch module and one streamparse attribute it replaces or wraps.
TARGETS = {
    "flux_local": ("streamparse.cli.run", "local"),
    "storm_lib_version": ("streamparse.util", "storm_lib_version"),
    "default_local_env": ("streamparse.cli.run", "get_env_config"),
    "env_config": ("streamparse.util", "get_env_config"),
    "user_errors": ("streamparse.cli.submit", "submit_topology"),
    "stats_storm2": ("streamparse.cli.stats", "_get_topology_id"),
    "shutdown_safe_flux": ("streamparse.dsl.topology", "Topology"),
    "option_parallelism": ("streamparse.cli.common", "resolve_options"),
    "msgpack_serializer": ("streamparse.util", "set_topology_serializer"),
    "option_checks": ("streamparse.cli.common", "resolve_options"),
    "resolved_options": ("streamparse.cli.common", "resolve_options"),
    "run_console": ("streamparse.cli.run", "local"),
    "jar_reuse": ("streamparse.cli.jar", "jar_for_deploy"),
    "cluster_hosts": ("streamparse.cli.submit", "_kill_existing_topology"),
    "run_signals": ("streamparse.cli.run", "local"),
}


def test_every_patch_module_is_applied_and_has_its_test():
    names = {patch.__name__.rsplit(".", 1)[1] for patch in compat.PATCHES}
    assert names == set(TARGETS) | {"commands_on_path"}  # PATH: no streamparse attribute
    for name in names:
        importlib.import_module(f"compat_layer.test_{name}")


def test_another_streamparse_version_is_refused_naming_both():
    with pytest.raises(StreamparseVersionError) as refused:
        compat.check_streamparse_version("5.1.0")
    message = str(refused.value)
    assert "written for streamparse 5.0.1" in message
    assert "streamparse 5.1.0 is installed" in message
    assert "pip install streamparse==5.0.1" in message
    compat.check_streamparse_version("5.0.1")


def test_importing_the_layer_under_another_streamparse_fails_before_any_patch():
    fake = ("import importlib.metadata as m; m.version = lambda name: '4.0.0'; "
            "import streamparse_storm2")  # fmt: skip
    run = subprocess.run([sys.executable, "-c", fake], capture_output=True, text=True)
    assert run.returncode == 1
    assert "StreamparseVersionError" in run.stderr
    assert "written for streamparse 5.0.1, but streamparse 4.0.0 is installed" in run.stderr
    assert "streamparse_storm2.flux_local" not in run.stderr


@pytest.mark.parametrize("patch", sorted(TARGETS))
def test_a_missing_target_fails_loudly_naming_it(patch, monkeypatch):
    module_name, attr = TARGETS[patch]
    monkeypatch.delattr(importlib.import_module(module_name), attr)
    with pytest.raises(MissingTarget) as missing:
        importlib.import_module(f"streamparse_storm2.{patch}").apply()
    assert f"streamparse_storm2.{patch}: {module_name}.{attr} is missing" in str(missing.value)


def test_a_copy_that_is_no_longer_the_same_object_fails_loudly(monkeypatch):
    import streamparse.cli.stats as stats

    monkeypatch.setattr(stats, "storm_lib_version", lambda: "something else")
    with pytest.raises(MissingTarget, match=r"streamparse\.cli\.stats\.storm_lib_version is no "
                       r"copy of streamparse\.util\.storm_lib_version"):  # fmt: skip
        compat.storm_lib_version.apply()


def test_a_missing_static_method_fails_loudly(monkeypatch):
    from streamparse.dsl.topology import Topology

    monkeypatch.delattr(Topology, "_spec_to_flux_dict")
    with pytest.raises(MissingTarget, match=r"Topology\._spec_to_flux_dict is missing"):
        compat.shutdown_safe_flux.apply()


def test_all_patches_apply_on_the_pinned_streamparse():
    compat.apply()
    import streamparse.cli.common as common
    import streamparse.cli.run as run

    assert run.resolve_options is common.resolve_options
    assert run.local.__module__ == "streamparse_storm2.flux_local"


def test_storm_home_matches_project_clj():
    assert compat.storm_home().name == "apache-storm-2.8.3"
    assert (compat.PROJECT_ROOT / "project.clj").is_file()


def test_the_venvs_sparse_is_the_layers():
    assert "streamparse_storm2" in SPARSE.read_text()
    run = subprocess.run([str(SPARSE), "--help"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "submit" in run.stdout
