"""Where the project is, and its Storm version and home (no patch: tools read these)."""

from __future__ import annotations

import re
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def storm_version() -> str:
    """The Storm version of the project: project.clj's ``(def storm-version "X.Y.Z")``,
    the one setting every build and tool reads."""
    clj = (PROJECT_ROOT / "project.clj").read_text()
    version = re.search(r'\(def storm-version "([0-9.]+)"\)', clj)
    if not version:
        raise RuntimeError('project.clj lacks (def storm-version "X.Y.Z")')
    return version[1]


def storm_home() -> Path:
    """The Storm home tools/bootstrap assembled for the version in project.clj."""
    return PROJECT_ROOT / ".cache" / "storm" / f"apache-storm-{storm_version()}"
