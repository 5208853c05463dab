"""What ``resolve_options`` resolved, for the patches that act later in the same command.

Not a fix in itself: patch 12 (the console view of ``sparse run``) and patch 14 (the
check of the cluster's hosts in ``sparse submit``) need the topology class, the resolved
options and the topology's name, which streamparse does not hand to the functions they
patch. ``streamparse.cli.common.resolve_options`` (and its copies) records them here.
"""

from __future__ import annotations

from typing import Any

from streamparse_storm2._resolve_options import after_resolve_options

PATCH = __name__
RESOLVED: dict[str, Any] = {}  # topology (class), options, name


def apply() -> None:
    def record(options: Any, _env: Any, topology_class: Any, args: tuple[Any, ...],
               _kwargs: Any) -> None:  # fmt: skip
        RESOLVED.update(topology=topology_class, options=options,
                        name=args[0] if args else "topology")  # fmt: skip

    after_resolve_options(PATCH, record)
