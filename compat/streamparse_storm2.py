"""Run streamparse 5.0.1's `sparse` against Apache Storm 2.x.

This module is the whole compatibility layer; tools/bootstrap installs it as the
project venv's `sparse` command. Each patch below names what it fixes, and
compat/README.md says how to drop it once streamparse is fixed upstream.

1. `sparse run` launches ``storm jar <jar> org.apache.storm.flux.Flux --local
   --sleep <t> <yaml>``. Storm 2's Flux ignores ``--local``/``--sleep`` and submits
   to a remote Nimbus (streamparse #464, #479). The Storm 2 form is ``storm local
   --local-ttl <t> <jar> org.apache.storm.flux.Flux <yaml>``. "Run forever" (no
   ``-t``) is Long.MAX seconds, which overflows ``ttl * 1000`` in LocalCluster, so
   it is bounded to ten years.
2. streamparse's Storm version check only accepts a bare
   ``[org.apache.storm/storm-core "X"]`` line in ``lein deps :tree``; a dependency
   marked provided or carrying exclusions (both needed here) prints a suffix.
3. Without ``-e``, ``sparse run`` dies when config.json has several environments;
   it uses the ``local`` environment when there is one.
4. The commands streamparse shells out to are put on PATH: the venv's
   ``streamparse_run`` (started by Storm for every Python component) and the
   project's Storm home's ``storm``; ``LEIN_ROOT`` is set when running as root.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LOCAL_ENV = "local"
FOREVER_SECS = 10 * 365 * 24 * 3600

_FLUX_LOCAL = re.compile(
    r"^storm jar (?P<jar>\S+) org\.apache\.storm\.flux\.Flux --local --no-splash "
    r"--sleep (?P<secs>\d+) (?P<yaml>\S+)$"
)
_STORM_CORE = re.compile(r'\[org\.apache\.storm/storm-core "([^"]+)"')


def storm2_local_command(command: str) -> str:
    """Rewrite streamparse's Storm 1 local-run command into Storm 2's `storm local`.

    Any other command is returned unchanged.
    """
    m = _FLUX_LOCAL.match(command)
    if not m:
        return command
    secs = min(int(m["secs"]), FOREVER_SECS)
    return (
        f"storm local --local-ttl {secs} {m['jar']} "
        f"org.apache.storm.flux.Flux --no-splash {m['yaml']}"
    )


def storm_core_version(deps_tree: str) -> str:
    """The storm-core version in `lein deps :tree` output, whatever follows it."""
    versions = set(_STORM_CORE.findall(deps_tree))
    if len(versions) != 1:
        raise RuntimeError(
            "expected one org.apache.storm/storm-core version in project.clj, "
            f"found {sorted(versions)}"
        )
    return versions.pop()


def default_to_local_env(get_env_config: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap streamparse's get_env_config so that a missing -e means the `local` env."""

    def wrapper(env_name: str | None = None, config_file: Any = None) -> Any:
        if env_name is None:
            from streamparse.util import get_config

            if LOCAL_ENV in get_config(config_file=config_file)["envs"]:
                env_name = LOCAL_ENV
        return get_env_config(env_name, config_file=config_file)

    return wrapper


def storm_home() -> Path:
    """The Storm home tools/bootstrap assembled for the version in project.clj."""
    clj = (PROJECT_ROOT / "project.clj").read_text()
    version = re.search(r'\(def storm-version "([0-9.]+)"\)', clj)
    if not version:
        raise RuntimeError('project.clj lacks (def storm-version "X.Y.Z")')
    return PROJECT_ROOT / ".cache" / "storm" / f"apache-storm-{version[1]}"


def apply() -> None:
    """Patch streamparse in this process and set up PATH for the commands it runs."""
    import streamparse.cli.run as run
    from streamparse.util import parse_version

    original_local = run.local

    def local(command: str, *args: Any, **kwargs: Any) -> Any:
        return original_local(storm2_local_command(command), *args, **kwargs)

    def storm_lib_version() -> Any:
        tree = subprocess.run(
            ["lein", "deps", ":tree"], capture_output=True, text=True, check=True
        ).stdout
        return parse_version(storm_core_version(tree))

    run.local = local
    run.storm_lib_version = storm_lib_version
    run.get_env_config = default_to_local_env(run.get_env_config)

    venv_bin = str(Path(sys.executable).parent)
    path = [venv_bin, str(storm_home() / "bin"), os.environ.get("PATH", "")]
    os.environ["PATH"] = os.pathsep.join(path)
    if os.geteuid() == 0:
        os.environ.setdefault("LEIN_ROOT", "1")


def main() -> None:
    """Entry point of the venv's `sparse`: streamparse's CLI with the patches applied."""
    apply()
    from streamparse.cli.sparse import main as sparse_main

    sparse_main()
