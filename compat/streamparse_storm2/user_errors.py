"""Patch 6: errors a user can act on, instead of Thrift and HTTP tracebacks.

What goes wrong: ``sparse submit`` with a worker virtualenv that is not there, or a
topology name already running, and any command while Nimbus or the Storm UI is down,
end in a Thrift or requests traceback that does not say what to do.

The patch: ``streamparse.cli.submit.submit_topology`` stops first when the worker
virtualenv the environment says the project prepares is missing;
``streamparse.cli.submit._kill_existing_topology`` stops when the name is still taken
after it; ``translated_errors`` (around streamparse's CLI in ``main``) turns
NotAliveException, a refused connection to Nimbus and an unreachable Storm UI into one
message with the fix.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from streamparse_storm2._target import replace, target
from streamparse_storm2.errors import UserError

PATCH = __name__


def missing_virtualenv(env: dict[str, Any], topology: str) -> Path | None:
    """The worker virtualenv a submit needs but does not find (None if fine)."""
    if not env.get("use_virtualenv", True) or env.get("install_virtualenv", True):
        return None
    venv = Path(env["virtualenv_root"]) / topology
    return None if (venv / "bin" / "streamparse_run").exists() else venv


def apply() -> None:
    submit_module = "streamparse.cli.submit"
    for name in ("get_topology_definition", "get_env_config", "is_safe_to_submit"):
        target(PATCH, submit_module, name)  # what the wrappers below call
    original_submit = target(PATCH, submit_module, "submit_topology")
    original_kill = target(PATCH, submit_module, "_kill_existing_topology")
    _error_classes()  # their absence too stops the layer before any command runs
    import streamparse.cli.submit as submit

    def submit_topology(name: str | None = None, env_name: str | None = None, **kw: Any) -> Any:
        topology, _ = submit.get_topology_definition(name, config_file=kw.get("config_file"))
        _, env = submit.get_env_config(env_name, config_file=kw.get("config_file"))
        venv = missing_virtualenv(env, topology)
        if venv is not None:
            raise UserError(
                f"the worker virtualenv for topology {topology!r} is missing: {venv}",
                f"make cluster-venvs (builds it from virtualenvs/{topology}.txt)",
            )
        return original_submit(name=name, env_name=env_name, **kw)

    def kill_existing(name: str, force: bool, wait: Any, nimbus_client: Any) -> None:
        original_kill(name, force, wait, nimbus_client)
        if not submit.is_safe_to_submit(name, nimbus_client):
            raise UserError(
                f"a topology named {name!r} is already running on the cluster",
                f"sparse kill -e <env> -n {name}, or sparse submit ... --force to replace it",
            )

    replace(PATCH, submit_module, "submit_topology", submit_topology)
    replace(PATCH, submit_module, "_kill_existing_topology", kill_existing)


def _error_classes() -> tuple[Any, Any, Any]:  # exception classes, found at run time
    return (target(PATCH, "streamparse.thrift", "NotAliveException"),
            target(PATCH, "requests.exceptions", "ConnectionError"),
            target(PATCH, "thriftpy2.transport", "TTransportException"))  # fmt: skip


@contextlib.contextmanager
def translated_errors() -> Iterator[None]:
    """Around streamparse's CLI: Nimbus, the UI or a topology not there, as a UserError."""
    not_alive, http_connection_error, transport_error = _error_classes()
    try:
        yield
    except not_alive as err:
        raise UserError(
            f"no such topology is running ({err.msg})", "sparse list -e <env> shows what runs"
        ) from None
    except http_connection_error as err:
        raise UserError(
            f"cannot reach the Storm UI's REST API ({err.request.url if err.request else err})",
            "sparse stats reads the Storm UI: start the cluster (make cluster-up starts the "
            "UI on port 8080), or set 'ui.port' in the environment of config.json",
        ) from None
    except (ConnectionRefusedError, transport_error) as err:
        raise UserError(
            f"cannot reach Nimbus ({err})",
            "start the cluster (make cluster-up), or check 'nimbus' in config.json",
        ) from None
