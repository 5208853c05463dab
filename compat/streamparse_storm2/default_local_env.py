"""Patch 3: ``sparse run`` without ``-e`` uses the ``local`` environment.

What goes wrong: without ``-e``, ``sparse run`` dies when config.json has several
environments (this project has ``local``, ``cluster`` and ``prod``).

The patch: ``streamparse.cli.run.get_env_config`` (after patch 5 checked it) takes a
missing environment name to mean ``local`` when config.json has one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from streamparse_storm2._target import replace, target

PATCH = __name__
LOCAL_ENV = "local"


def default_to_local_env(get_env_config: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap streamparse's get_env_config so that a missing -e means the `local` env."""

    def wrapper(env_name: str | None = None, config_file: Any = None) -> Any:
        if env_name is None:
            from streamparse.util import get_config

            if LOCAL_ENV in get_config(config_file=config_file)["envs"]:
                env_name = LOCAL_ENV
        return get_env_config(env_name, config_file=config_file)

    return wrapper


def apply() -> None:
    target(PATCH, "streamparse.util", "get_config")
    original = target(PATCH, "streamparse.cli.run", "get_env_config")
    replace(PATCH, "streamparse.cli.run", "get_env_config", default_to_local_env(original))
