"""Patch 4: the commands streamparse shells out to are on PATH.

What goes wrong: streamparse runs ``storm`` and Storm starts the venv's
``streamparse_run`` for every Python component, by name; neither is on PATH unless the
venv is activated and a Storm installation is there. Leiningen refuses to run as root
unless ``LEIN_ROOT`` is set.

The patch (no streamparse attribute: the process environment): PATH starts with the
venv's bin/ and the project's Storm home's bin/ (tools/bootstrap), and ``LEIN_ROOT=1``
is set when running as root.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from streamparse_storm2.project import storm_home


def apply() -> None:
    venv_bin = str(Path(sys.executable).parent)
    path = [venv_bin, str(storm_home() / "bin"), os.environ.get("PATH", "")]
    os.environ["PATH"] = os.pathsep.join(path)
    if os.geteuid() == 0:
        os.environ.setdefault("LEIN_ROOT", "1")
