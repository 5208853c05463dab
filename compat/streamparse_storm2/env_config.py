"""Patch 5: config.json environments: paths from the project root, placeholders refused.

What goes wrong: relative ``virtualenv_root`` and log paths in config.json are taken
from wherever the process runs (Storm runs components elsewhere), and the ``prod``
template's ``<PLACEHOLDER>`` values went to the cluster as they were.

The patch: ``streamparse.util.get_env_config`` (and the CLI modules' copies) returns
the environment with those paths made absolute from the project root, and stops with
the key to fill in when a value still holds a ``<PLACEHOLDER>``.
"""

from __future__ import annotations

import re
from typing import Any

from streamparse_storm2._target import replace, target
from streamparse_storm2.errors import UserError
from streamparse_storm2.project import PROJECT_ROOT

PATCH = __name__
_CLI = ("run", "submit", "list", "kill", "stats", "tail", "remove_logs", "update_virtualenv")
COPIES = tuple(f"streamparse.cli.{name}" for name in _CLI)
_PLACEHOLDER = re.compile(r"<[A-Z][A-Z0-9_]*>")


def checked_env(name: str, env: dict[str, Any]) -> dict[str, Any]:
    """The environment with placeholders refused and relative paths made absolute."""
    for key, value in _leaves(env):
        if isinstance(value, str) and _PLACEHOLDER.search(value):
            raise UserError(
                f"config.json environment {name!r} still has the placeholder {value!r} "
                f"at {key!r}",
                "replace it with your cluster's value in config.json (see docs/cluster.md, "
                "'Run on a cluster')",
            )
    env = dict(env)
    if env.get("virtualenv_root"):
        env["virtualenv_root"] = str(PROJECT_ROOT / env["virtualenv_root"])
    if isinstance(env.get("log"), dict) and env["log"].get("path"):
        env["log"] = {**env["log"], "path": str(PROJECT_ROOT / env["log"]["path"])}
    return env


def _leaves(value: Any, key: str = "") -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        return [kv for k, v in value.items() for kv in _leaves(v, f"{key}.{k}" if key else k)]
    if isinstance(value, list):
        return [kv for i, v in enumerate(value) for kv in _leaves(v, f"{key}[{i}]")]
    return [(key, value)]


def apply() -> None:
    original = target(PATCH, "streamparse.util", "get_env_config")

    def get_env_config(env_name: str | None = None, config_file: Any = None) -> Any:
        name, env = original(env_name, config_file=config_file)
        return name, checked_env(name, env)

    replace(PATCH, "streamparse.util", "get_env_config", get_env_config, COPIES)
