"""Patch 2: the Storm version check reads a provided storm-core (storm_lib_version)."""

import subprocess
from types import SimpleNamespace

import pytest
import streamparse.cli.run as run
import streamparse.util as util

from streamparse_storm2 import storm_lib_version
from streamparse_storm2.storm_lib_version import storm_core_version

TREE = (
    ' [org.apache.storm/flux-core "2.8.3" :exclusions [[x/y]]]\n'
    ' [org.apache.storm/storm-core "2.8.3" :scope "provided" :exclusions [[x/y]]]\n'
    '   [org.apache.storm/storm-server "2.8.3"]\n'
)


def test_storm_core_version_tolerates_scope_and_exclusions():
    assert storm_core_version(TREE) == "2.8.3"


def test_storm_core_version_requires_exactly_one():
    with pytest.raises(RuntimeError, match="storm-core"):
        storm_core_version('[org.apache.storm/storm-client "2.8.3"]')


def test_streamparse_and_its_cli_copies_read_lein_deps_tree_so(monkeypatch):
    monkeypatch.setattr(subprocess, "run", lambda *a, **kw: SimpleNamespace(stdout=TREE))
    storm_lib_version.apply()
    assert util.storm_lib_version() == util.parse_version("2.8.3")
    assert run.storm_lib_version is util.storm_lib_version
