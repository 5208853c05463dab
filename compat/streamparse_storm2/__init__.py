"""Run streamparse 5.0.1's ``sparse`` against Apache Storm 2.x.

The project's ``sparse`` (the console script pyproject.toml declares, installed into
.venv by tools/bootstrap) is ``main`` below: streamparse's own CLI with the patches of
this package applied first. The package refuses any streamparse but the one it was
written for (``STREAMPARSE_VERSION``): the patches replace streamparse internals by
name. Each patch is one module with an ``apply()``; its docstring says what streamparse
or Storm does wrong, the upstream issue where there is one, and what the patch does.
``apply()`` finds every streamparse attribute it replaces or wraps first and raises
``MissingTarget`` naming the missing ``module.attribute`` otherwise, so on another
streamparse ``sparse`` stops before any command runs instead of running half-patched.

==  =====================  ========================================================
 1  flux_local             ``sparse run`` runs ``storm local``, not Flux ``--local``
 2  storm_lib_version      the Storm version check reads a provided storm-core
 3  default_local_env      ``sparse run`` without ``-e`` uses the ``local`` env
 4  commands_on_path       the venv's bin/ and the Storm home's bin/ on PATH
 5  env_config             config.json paths from the project root; placeholders
 6  user_errors            messages with a fix instead of Thrift/HTTP tracebacks
 7  stats_storm2           ``sparse stats`` reads Storm 2's UI REST API
 8  shutdown_safe_flux     shell components that do not halt a stopping JVM
 9  option_parallelism     an option sets a component's parallelism
10  msgpack_serializer     Storm's Java side of ``"serializer": "msgpack"``
11  option_checks          options checked before anything is built or started
12  run_console            ``sparse run`` prints the topology's console view
13  jar_reuse              the jar is built again only when its inputs changed
14  cluster_hosts          ``sparse submit`` checks the cluster's hosts first
15  run_signals            SIGTERM/SIGHUP stop ``sparse run`` and Storm with it
==  =====================  ========================================================

``resolved_options`` records what ``resolve_options`` resolved for patches 12 and 14;
``local_tmp`` gives each ``storm local`` run of patch 15 a temporary folder of its own.
Several patches wrap the same function, each around the one before (``PATCHES`` is the
order): ``resolve_options`` is parallelism, then the option check, then the record,
then the serializer; ``run.local`` rewrites the command (1), then shows the console
view (12), then runs and stops Storm (15).

Dropping a patch once streamparse is fixed upstream: delete its module and its line in
``PATCHES``, and its tests under tests/compat_layer/.
"""

from __future__ import annotations

from importlib import metadata

STREAMPARSE_VERSION = "5.0.1"  # the streamparse every patch below was written for


class StreamparseVersionError(RuntimeError):
    """The installed streamparse is not the one the compat layer was written for."""


def check_streamparse_version(installed: str | None = None) -> None:
    """Refuse a streamparse other than STREAMPARSE_VERSION, naming both versions."""
    try:
        installed = installed or metadata.version("streamparse")
    except metadata.PackageNotFoundError:
        installed = "none"
    if installed != STREAMPARSE_VERSION:
        raise StreamparseVersionError(
            f"logstorm's compat layer (streamparse_storm2) was written for streamparse "
            f"{STREAMPARSE_VERSION}, but streamparse {installed} is installed; its patches "
            "replace streamparse internals by name and are not known to fit another "
            f"version. fix: pip install streamparse=={STREAMPARSE_VERSION} (requirements.txt "
            "pins it; tools/bootstrap installs it), or port compat/streamparse_storm2/ to "
            f"streamparse {installed} and change STREAMPARSE_VERSION"
        )


check_streamparse_version()

import sys  # noqa: E402 - after the version guard: nothing of the layer loads without it
import warnings  # noqa: E402

from streamparse_storm2 import (  # noqa: E402
    cluster_hosts,
    commands_on_path,
    default_local_env,
    env_config,
    flux_local,
    jar_reuse,
    msgpack_serializer,
    option_checks,
    option_parallelism,
    resolved_options,
    run_console,
    run_signals,
    shutdown_safe_flux,
    stats_storm2,
    storm_lib_version,
    user_errors,
)
from streamparse_storm2._target import MissingTarget  # noqa: E402
from streamparse_storm2.errors import USAGE_ERROR, BadOption, UserError  # noqa: E402
from streamparse_storm2.project import PROJECT_ROOT, storm_home, storm_version  # noqa: E402

__all__ = ["PATCHES", "PROJECT_ROOT", "STREAMPARSE_VERSION", "BadOption", "MissingTarget",
           "StreamparseVersionError", "UserError", "apply", "check_streamparse_version", "main",
           "storm_home", "storm_version"]  # fmt: skip

# The order patches are applied in (see the module docstring for why it matters).
PATCHES = (
    storm_lib_version,
    env_config,
    default_local_env,  # wraps run.get_env_config as env_config left it
    jar_reuse,
    option_parallelism,
    option_checks,
    resolved_options,
    msgpack_serializer,  # after jar_reuse: submit's jar is the reused one, always the uber-jar
    shutdown_safe_flux,
    user_errors,
    cluster_hosts,  # around user_errors' _kill_existing_topology: hosts checked first
    stats_storm2,
    run_signals,
    run_console,
    flux_local,  # outermost of run.local: the others see the rewritten command
    commands_on_path,
)


def apply() -> None:
    """Patch streamparse in this process and set up PATH for the commands it runs."""
    # paramiko (under fabric) warns about TripleDES on every import: noise for users.
    warnings.filterwarnings("ignore", message=".*TripleDES.*")
    for patch in PATCHES:
        patch.apply()


def main() -> None:
    """Entry point of the venv's `sparse`: streamparse's CLI with the patches applied."""
    apply()
    from streamparse.cli.sparse import main as sparse_main

    try:
        with user_errors.translated_errors():
            option_checks.check_option_syntax(sys.argv[1:])
            sparse_main()
    except BadOption as err:
        print(f"sparse: {err}", file=sys.stderr)
        sys.exit(USAGE_ERROR)
