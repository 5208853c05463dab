"""Wrapping ``streamparse.cli.common.resolve_options`` (patches 9, 10, 11 and the record
patches 12 and 14 read), each patch in turn around the previous one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from streamparse_storm2._target import replace, target

COMMON = "streamparse.cli.common"
# The CLI modules that imported resolve_options by name.
COPIES = ("streamparse.cli.run", "streamparse.cli.submit", "streamparse.cli.remove_logs",
          "streamparse.cli.update_virtualenv")  # fmt: skip

Then = Callable[[Any, Any, Any, tuple[Any, ...], dict[str, Any]], None]


def after_resolve_options(patch: str, then: Then) -> None:
    """Make resolve_options call then(options, env_config, topology_class, args, kwargs)
    on the options it resolved, before returning them."""
    inner = target(patch, COMMON, "resolve_options")

    def resolve_options(cli_options: Any, env_config: Any, topology_class: Any, *args: Any,
                        **kwargs: Any) -> dict[str, Any]:  # fmt: skip
        options = inner(cli_options, env_config, topology_class, *args, **kwargs)
        then(options, env_config, topology_class, args, kwargs)
        return options

    replace(patch, COMMON, "resolve_options", resolve_options, COPIES)
