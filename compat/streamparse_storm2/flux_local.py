"""Patch 1: ``sparse run`` starts a local Storm 2 topology with ``storm local``.

What goes wrong: streamparse's ``sparse run`` launches ``storm jar <jar>
org.apache.storm.flux.Flux --local --sleep <t> <yaml>``. Storm 2's Flux ignores
``--local``/``--sleep`` and submits to a remote Nimbus (streamparse #464, #479).

The patch: ``streamparse.cli.run.local`` (fabric's ``local``, as run imported it) gets
the command rewritten to Storm 2's form, ``storm local --local-ttl <t> <jar>
org.apache.storm.flux.Flux <yaml>``. "Run forever" (no ``-t``) is Long.MAX seconds,
which overflows ``ttl * 1000`` in LocalCluster, so it is bounded to ten years. The
topology's YAML, a temporary file streamparse never removes (one per run), is removed
once Storm has exited, however the run ended. Applied last of the three patches of
``run.local`` (console view, signals), so they see the rewritten command.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from streamparse_storm2._target import replace, target

PATCH = __name__
FOREVER_SECS = 10 * 365 * 24 * 3600

_FLUX_LOCAL = re.compile(
    r"^storm jar (?P<jar>\S+) org\.apache\.storm\.flux\.Flux --local --no-splash "
    r"--sleep (?P<secs>\d+) (?P<yaml>\S+)$"
)


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


def apply() -> None:
    inner = target(PATCH, "streamparse.cli.run", "local")

    def local(command: str, *args: Any, **kwargs: Any) -> Any:
        flux = _FLUX_LOCAL.match(command)
        try:
            return inner(storm2_local_command(command), *args, **kwargs)
        finally:
            if flux:  # Storm read it at its start, and is gone
                Path(flux["yaml"]).unlink(missing_ok=True)

    replace(PATCH, "streamparse.cli.run", "local", local)
