"""Patch 4: the venv's and the Storm home's commands on PATH (commands_on_path)."""

import os
import sys
from pathlib import Path

from streamparse_storm2 import commands_on_path, storm_home


def test_venv_bin_and_storm_home_bin_come_first(monkeypatch):
    monkeypatch.setenv("PATH", "/usr/bin")
    commands_on_path.apply()
    first, second, rest = os.environ["PATH"].split(os.pathsep)
    assert (first, second, rest) == (str(Path(sys.executable).parent),
                                     str(storm_home() / "bin"), "/usr/bin")  # fmt: skip
    assert (Path(first) / "streamparse_run").exists()
