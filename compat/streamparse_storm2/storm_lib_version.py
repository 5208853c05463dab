"""Patch 2: streamparse's Storm version check reads a storm-core with scope or exclusions.

What goes wrong: ``streamparse.util.storm_lib_version`` only accepts a bare
``[org.apache.storm/storm-core "X"]`` line in ``lein deps :tree``; a dependency marked
provided or carrying exclusions (project.clj needs both) prints a suffix, and the
check fails.

The patch: ``storm_lib_version`` (in streamparse.util and the CLI modules that
imported it) finds the one storm-core version whatever follows it.
"""

from __future__ import annotations

import re
import subprocess
from typing import Any

from streamparse_storm2._target import replace, target

PATCH = __name__
COPIES = ("streamparse.cli.run", "streamparse.cli.stats", "streamparse.cli.worker_uptime",
          "streamparse.cli.slot_usage")  # fmt: skip
_STORM_CORE = re.compile(r'\[org\.apache\.storm/storm-core "([^"]+)"')


def storm_core_version(deps_tree: str) -> str:
    """The storm-core version in `lein deps :tree` output, whatever follows it."""
    versions = set(_STORM_CORE.findall(deps_tree))
    if len(versions) != 1:
        raise RuntimeError(
            "expected one org.apache.storm/storm-core version in project.clj, "
            f"found {sorted(versions)}"
        )
    return versions.pop()


def apply() -> None:
    parse_version = target(PATCH, "streamparse.util", "parse_version")

    def storm_lib_version() -> Any:
        tree = subprocess.run(
            ["lein", "deps", ":tree"], capture_output=True, text=True, check=True
        ).stdout
        return parse_version(storm_core_version(tree))

    replace(PATCH, "streamparse.util", "storm_lib_version", storm_lib_version, COPIES)
