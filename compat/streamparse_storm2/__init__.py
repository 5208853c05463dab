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
5. Environments: relative ``virtualenv_root`` and log paths in config.json are taken
   from the project root (Storm runs components elsewhere), and a value still holding
   a ``<PLACEHOLDER>`` (the ``prod`` template) stops with the key to fill in.
6. Errors a user can act on, instead of Thrift tracebacks: Nimbus unreachable, a
   topology name already running, a worker virtualenv missing, the Storm UI down.
7. ``sparse stats`` reads the Storm UI's REST API, whose answers changed in Storm 2:
   the cluster summary no longer carries ``nimbusUptime`` (it is in the Nimbus
   summary now), a topology name that is not running became a request for
   ``/api/v1/topology/None`` and a Java stack trace, and the tables were cut at 115
   columns, wrapping component names mid-word. The layer fills the uptime in from
   the leader Nimbus, names the missing topology, and draws tables as wide as the
   terminal, and not wrapped at all when the output is not a terminal (``sparse stats |
   grep url_window`` finds the component). streamparse's own Storm version check for
   the command warns (``0.9.2-incubating`` is no valid version for pkg_resources):
   silenced.
8. A timed ``sparse run -t`` could end with exit code 1 instead of 0 on a busy
   machine: when the LocalCluster shuts down, an executor thread that outlives
   Storm's 100 ms wait hands one more tuple to a shell component whose Python
   process Storm had just destroyed, the component rethrows its own death, and
   ``ReportErrorAndDie`` halts the JVM (its ZooKeeper client already closed). The
   Flux YAML of ``sparse run`` names the project's ``logstorm.storm.ShutdownSafe
   ShellBolt``/``ShellSpout`` (src/jvm/) instead of Flux's shell wrappers: the same
   components, except that a call arriving once their shutdown began ends the
   executor thread as Storm ends an interrupted one, instead of halting the JVM.
9. A component's parallelism is fixed in the topology class, but how many tasks a
   spout should run depends on its input (a Kafka topic's partitions). A topology
   class may name options that set a component's parallelism
   (``option_parallelism = {"logstorm.input.tasks": "logfiles"}``); ``-o
   logstorm.input.tasks=2`` then sets it for ``sparse run`` and ``sparse submit``.
10. ``"serializer": "msgpack"`` in config.json makes pystorm speak MessagePack, but
   Storm has no Java side for it (streamparse #8, #247, #340, #403, #428; STORM-1565
   "Won't Fix"), so every component died at the handshake. The project's
   ``logstorm.storm.MsgpackSerializer`` (src/jvm/) is that side; the layer sets
   ``topology.multilang.serializer`` to match the components' serializer, for ``sparse
   run`` and ``sparse submit``, and stops before anything starts if an option asks for
   another one. ``LOGSTORM_SERIALIZER=json|msgpack`` overrides config.json for one
   command (the suite runs the topologies under each). ``sparse submit`` sends the
   uber-jar, as ``sparse run`` does: streamparse's plain jar for Python-only
   topologies lacks msgpack-core, and the workers died on its first class.
11. Options are checked before anything is built or started. A bad ``-o`` value
   was caught only inside the workers, some 20 s after ``sparse run`` began, its
   message repeated among Storm's logging; a value that is no YAML (``-o
   logstorm.input.pattern=*.log``: ``*`` starts an alias) ended in a ruamel
   traceback. Each ``-o`` value is parsed first, and a topology class may name its
   options' check (``check_options``: options -> raises ValueError naming the key);
   ``sparse run`` and ``sparse submit`` then stop at once with one message and
   exit code 2, as for any usage error. The workers keep their own check.
12. ``sparse run`` printed Storm's whole start-up and runtime logging, the Python
   components' messages buried in it. A topology class may name its console view
   (``console``: (options, storm_log, started) -> an object whose ``lines()`` are
   what to print now); ``sparse run`` then sends Storm's output to
   ``logs/sparse-run-<topology>.log`` and prints the view's lines (for ``logs``: one
   line when the topology is up, the window tables, replay progress), plus any
   warning or error a Python component logs. ``LOGSTORM_CONSOLE=storm`` shows
   Storm's output as before (the integration tests read it).
13. Every ``sparse run`` and ``sparse submit`` ran ``lein clean`` and ``lein
   uberjar`` (some 10 s, and a second command in the same project deleted the jar
   under a first one's feet). The jar is built again only when what goes into it
   changed: a digest of ``src/`` and ``project.clj`` is kept beside it.
14. ``sparse submit`` sent a topology to a cluster of several hosts whatever it needed
   from one host's disk, and such a run could start healthy and write nothing. A
   topology class may name a check of the cluster's hosts (``check_hosts``: options,
   the hosts of Nimbus's supervisors -> raises ValueError naming the option); ``sparse
   submit`` then stops before anything is sent or killed, with exit code 2.
15. ``sparse run`` sent SIGTERM (what ``timeout``, systemd and container runtimes send)
   or SIGHUP exited at once and left the Storm JVM and every Python component running
   as orphans. Both now stop the run as Ctrl-C does: Storm gets SIGTERM (its shutdown
   stops the LocalCluster; each Python component exits when its pipe closes), and
   ``sparse`` exits with 128 + the signal's number once Storm is gone (143 for
   SIGTERM; Storm is killed if it takes over 30 s).
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[2]
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


class UserError(SystemExit):
    """Stops sparse with a message naming the problem and the fix."""

    def __init__(self, problem: str, fix: str) -> None:
        super().__init__(f"sparse: {problem}\nfix: {fix}")


def checked_env(name: str, env: dict[str, Any]) -> dict[str, Any]:
    """The environment with placeholders refused and relative paths made absolute."""
    for key, value in _leaves(env):
        if isinstance(value, str) and _PLACEHOLDER.search(value):
            raise UserError(
                f"config.json environment {name!r} still has the placeholder {value!r} "
                f"at {key!r}",
                "replace it with your cluster's value in config.json (see README, "
                "'Run on a cluster')",
            )
    env = dict(env)
    if env.get("virtualenv_root"):
        env["virtualenv_root"] = str(PROJECT_ROOT / env["virtualenv_root"])
    if isinstance(env.get("log"), dict) and env["log"].get("path"):
        env["log"] = {**env["log"], "path": str(PROJECT_ROOT / env["log"]["path"])}
    return env


_PLACEHOLDER = re.compile(r"<[A-Z][A-Z0-9_]*>")


def _leaves(value: Any, key: str = "") -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        return [kv for k, v in value.items() for kv in _leaves(v, f"{key}.{k}" if key else k)]
    if isinstance(value, list):
        return [kv for i, v in enumerate(value) for kv in _leaves(v, f"{key}[{i}]")]
    return [(key, value)]


def missing_virtualenv(env: dict[str, Any], topology: str) -> Path | None:
    """The worker virtualenv a submit needs but does not find (None if fine)."""
    if not env.get("use_virtualenv", True) or env.get("install_virtualenv", True):
        return None
    venv = Path(env["virtualenv_root"]) / topology
    return None if (venv / "bin" / "streamparse_run").exists() else venv


SHUTDOWN_SAFE = {
    "org.apache.storm.flux.wrappers.bolts.FluxShellBolt": "logstorm.storm.ShutdownSafeShellBolt",
    "org.apache.storm.flux.wrappers.spouts.FluxShellSpout": "logstorm.storm.ShutdownSafeShellSpout",
}


def shutdown_safe(component: dict[str, Any]) -> dict[str, Any]:
    """A Flux component with Flux's shell wrapper replaced by its shutdown-safe subclass.

    >>> shutdown_safe({"id": "count", "className": "org.apache.storm.flux.wrappers."
    ...                "bolts.FluxShellBolt"})["className"]
    'logstorm.storm.ShutdownSafeShellBolt'
    """
    name = component.get("className")
    return {**component, "className": SHUTDOWN_SAFE.get(name, name)} if name else component


CLUSTER_SUMMARY, NIMBUS_SUMMARY = "/api/v1/cluster/summary", "/api/v1/nimbus/summary"


def with_nimbus_uptime(cluster: dict[str, Any], nimbuses: dict[str, Any]) -> dict[str, Any]:
    """Storm 2's cluster summary with Storm 1's ``nimbusUptime``, taken from the leader.

    >>> with_nimbus_uptime({"supervisors": 1},
    ...     {"nimbuses": [{"status": "Not a Leader", "nimbusUpTime": "1s"},
    ...                   {"status": "Leader", "nimbusUpTime": "2m 13s"}]})
    {'supervisors': 1, 'nimbusUptime': '2m 13s'}
    """
    if "nimbusUptime" in cluster:
        return cluster
    leaders = [n for n in nimbuses.get("nimbuses", []) if n.get("status") == "Leader"]
    return {**cluster, "nimbusUptime": leaders[0]["nimbusUpTime"] if leaders else "no leader"}


class BadOption(Exception):
    """An option fails its check: sparse says so and exits 2 (a usage error)."""


USAGE_ERROR = 2
_OPTION_FLAGS = ("-o", "--option")


def option_values(argv: list[str]) -> list[str]:
    """The ``key=value`` text of every ``-o``/``--option`` in a sparse command line."""
    found = [value for flag, value in itertools.pairwise(argv) if flag in _OPTION_FLAGS]
    return found + [arg.split("=", 1)[1] for arg in argv if arg.startswith("--option=")]


OPTION_COMMANDS = ("run", "submit")  # `sparse visualize -o` names an output file


def check_option_syntax(argv: list[str]) -> None:
    """Refuse an ``-o`` of ``sparse run``/``submit`` that is not key=value, or whose value
    is no YAML (sparse reads values as YAML), naming the key and the fix."""
    from ruamel.yaml import YAML, YAMLError

    if not argv or argv[0] not in OPTION_COMMANDS:
        return
    for option in option_values(argv):
        key, equals, text = option.partition("=")
        if not equals:
            raise BadOption(f"option -o {option!r} has no value; fix: -o {option}=<value>")
        try:
            YAML(typ="safe", pure=True).load(text)
        except YAMLError as err:
            problem = getattr(err, "problem", None) or str(err).splitlines()[0]
            raise BadOption(
                f"option {key!r}: {text!r} is not a value sparse can read ({problem}); "
                f"fix: quote it, as -o '{key}=\"{text}\"'"
            ) from None


def checked_options(topology_class: Any, storm_options: dict[str, Any]) -> None:
    """Run the topology class's own check of its options (``check_options``)."""
    check = getattr(topology_class, "check_options", None)
    if check is None:
        return
    try:
        check(storm_options)
    except ValueError as err:
        raise BadOption(str(err)) from None


def checked_hosts(topology_class: Any, storm_options: dict[str, Any], hosts: list[str]) -> None:
    """Run the topology class's check of the cluster's hosts (``check_hosts``)."""
    check = getattr(topology_class, "check_hosts", None)
    if check is None:
        return
    try:
        check(storm_options, hosts)
    except ValueError as err:
        raise BadOption(str(err)) from None


def option_parallelism(topology_class: Any, storm_options: dict[str, Any]) -> None:
    """Set the parallelism of the components whose option (the class's
    ``option_parallelism``: option -> component name) the resolved options carry."""
    for key, component in getattr(topology_class, "option_parallelism", {}).items():
        if key not in storm_options:
            continue
        value = storm_options[key]
        if isinstance(value, bool) or not str(value).isdigit() or int(value) < 1:
            raise BadOption(
                f"option {key!r} must be a whole number >= 1, got {value!r}; "
                f"fix: -o {key}=<tasks of {component}>"
            )
        storm_options[key] = tasks = int(value)
        for spec in topology_class.specs:
            if spec.name == component:
                spec.par = tasks
        for thrift in (topology_class.thrift_spouts, topology_class.thrift_bolts):
            if component in thrift:
                thrift[component].common.parallelism_hint = tasks


JAVA_SERIALIZERS = {
    "json": "org.apache.storm.multilang.JsonSerializer",
    "msgpack": "logstorm.storm.MsgpackSerializer",
}
MULTILANG_SERIALIZER = "topology.multilang.serializer"


def components_serializer(env: dict[str, Any], config: dict[str, Any]) -> str:
    """What the Python components speak: LOGSTORM_SERIALIZER, else the environment's
    ``serializer`` in config.json, else the top-level one, else json.

    >>> components_serializer({"serializer": "msgpack"}, {"serializer": "json"})
    'msgpack'
    """
    name = (
        os.environ.get("LOGSTORM_SERIALIZER")
        or env.get("serializer")
        or config.get("serializer", "json")
    )
    if name not in JAVA_SERIALIZERS:
        raise UserError(
            f"serializer {name!r} is not one Storm and pystorm both speak here",
            'set "serializer" in config.json (or LOGSTORM_SERIALIZER) to "json" or "msgpack"',
        )
    if name == "msgpack":
        try:
            import msgpack  # noqa: F401 - pystorm needs it in every component
        except ImportError:
            raise UserError(
                "the serializer is msgpack but the Python package msgpack is missing",
                "make setup (installs requirements.txt)",
            ) from None
    return name


def multilang_serializer(serializer: str, storm_options: dict[str, Any]) -> None:
    """Set Storm's side of the multilang protocol to the components' serializer.

    >>> options = {}
    >>> multilang_serializer("msgpack", options)
    >>> options
    {'topology.multilang.serializer': 'logstorm.storm.MsgpackSerializer'}
    """
    want = JAVA_SERIALIZERS[serializer]
    given = storm_options.get(MULTILANG_SERIALIZER)
    if given not in (None, want):
        raise UserError(
            f"option {MULTILANG_SERIALIZER!r} is {given!r}, but the Python components "
            f"speak {serializer} (config.json 'serializer'): every component would die at "
            "the handshake",
            f'drop the option (logstorm sets {want}), or set "serializer" in config.json '
            "to match it",
        )
    storm_options[MULTILANG_SERIALIZER] = want


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


CONSOLE_ENV = "LOGSTORM_CONSOLE"
_COMPONENT_TROUBLE = re.compile(
    r"^\S+ (?P<level>WARN|ERROR) +\S+Shell(?:Bolt|Spout)\S* \[[^]]*\] ShellLog pid:\d+, "
    r"name:(?P<name>\S+?),? .*? - (?P<message>.*)$"
)
_RUN: dict[str, Any] = {}  # what resolve_options learnt, for run's local()


def component_trouble(line: str) -> str | None:
    """A Python component's warning or error in a line of Storm's log, as one line.

    >>> component_trouble("10:00:01.5 WARN  o.a.s.t.ShellSpout [Thread-9] ShellLog pid:42, "
    ...                   "name:logfiles 2026-12-02 10:00:01,500 - cannot read a.log")
    'logfiles: warning: cannot read a.log'
    >>> component_trouble("10:00:01.5 INFO  o.a.s.d.worker [main] Launching worker") is None
    True
    """
    found = _COMPONENT_TROUBLE.match(line)
    if found is None:
        return None
    level = "error" if found["level"] == "ERROR" else "warning"
    return f"{found['name']}: {level}: {found['message']}"


class StopSignal(Exception):
    """SIGTERM or SIGHUP reached ``sparse run`` (patch 15)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)
STORM_STOP_SECS = 30


def run_storm_local(command: str, stdout: Any, poll: Callable[[], None] = lambda: None) -> int:
    """Run ``storm local``, calling poll about five times a second; SIGTERM or SIGHUP
    stop it as Ctrl-C does (patch 15). Returns Storm's exit code."""

    def stop(signum: int, _frame: Any) -> None:
        raise StopSignal(signum)

    before = {sig: signal.signal(sig, stop) for sig in STOP_SIGNALS}
    storm = None
    try:
        storm = subprocess.Popen(shlex.split(command), stdout=stdout, stderr=subprocess.STDOUT,
                                 stdin=subprocess.DEVNULL)  # fmt: skip
        while storm.poll() is None:
            poll()
            time.sleep(0.2)
        poll()
        return storm.returncode
    except KeyboardInterrupt:  # Ctrl-C reached Storm too: let it shut down
        if storm is not None:
            storm.wait()
        poll()
        sys.exit(130)
    except StopSignal as stopped:
        for sig in STOP_SIGNALS:
            signal.signal(sig, signal.SIG_IGN)  # one stop at a time
        if storm is not None:
            _stop(storm)
        poll()
        sys.exit(128 + stopped.signum)
    except BaseException:  # the view failed: leave no LocalCluster running behind
        if storm is not None:
            _stop(storm)
        raise
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)


def _stop(storm: subprocess.Popen[bytes]) -> None:
    storm.terminate()
    try:
        storm.wait(STORM_STOP_SECS)
    except subprocess.TimeoutExpired:
        storm.kill()
        storm.wait()


def run_with_console(command: str, console: Any, options: dict[str, Any], name: str) -> None:
    """Run ``storm local`` with its output in a log file, printing the console view's
    lines and the components' warnings instead (see patch 12)."""
    log = PROJECT_ROOT / "logs" / f"sparse-run-{name}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    view = console(options, storm_log=log, started=time.time())
    with open(log, "wb") as out, open(log, errors="replace") as storm_output:

        def show() -> None:
            for line in view.lines():
                print(line, flush=True)
            for line in storm_output.readlines():
                trouble = component_trouble(line.rstrip("\n"))
                if trouble:
                    print(trouble, flush=True)

        returncode = run_storm_local(command, out, show)
    if returncode != 0:
        tail = "".join(log.read_text(errors="replace").splitlines(keepends=True)[-25:])
        raise UserError(f"Storm stopped with exit code {returncode}; the end of its "
                        f"log:\n{tail}", f"read {log} for the whole story")  # fmt: skip


JAR_STAMP = Path("_build") / ".logstorm-jar-inputs"


def jar_inputs_digest(root: Path) -> str:
    """sha256 over the name and bytes of every file a topology jar is built from."""
    digest = hashlib.sha256()
    files = [root / "project.clj"]
    files += sorted(p for p in (root / "src").rglob("*")
                    if p.is_file() and "__pycache__" not in p.parts)  # fmt: skip
    for path in files:
        digest.update(f"{path.relative_to(root)}\0".encode() + path.read_bytes() + b"\0")
    return digest.hexdigest()


def reused_jar(build: Callable[..., str], root: Path = Path()) -> Callable[..., str]:
    """Wrap streamparse's jar_for_deploy: the last jar again if its inputs are the same."""

    def jar_for_deploy(simple_jar: bool = False) -> str:
        want = f"{jar_inputs_digest(root)} simple={simple_jar}"
        stamp = root / JAR_STAMP
        try:
            digest, jar = stamp.read_text().rsplit(" ", 1)
        except (OSError, ValueError):
            digest, jar = "", ""
        if digest == want and (root / jar).is_file():
            print(f"{'JAR' if simple_jar else 'Uber-JAR'} unchanged since it was built: {jar}")
            return jar
        jar = build(simple_jar=simple_jar)
        stamp.write_text(f"{want} {jar}")
        return jar

    return jar_for_deploy


def apply() -> None:
    """Patch streamparse in this process and set up PATH for the commands it runs."""
    # paramiko (under fabric) warns about TripleDES on every import: noise for users.
    warnings.filterwarnings("ignore", message=".*TripleDES.*")
    import streamparse.cli.run as run
    from streamparse.util import parse_version

    original_local = run.local

    def local(command: str, *args: Any, **kwargs: Any) -> Any:
        command = storm2_local_command(command)
        console = getattr(_RUN.get("topology"), "console", None)
        if command.startswith("storm local") and console and os.environ.get(CONSOLE_ENV) != "storm":
            return run_with_console(command, console, _RUN["options"], _RUN["name"])
        if command.startswith("storm local"):  # Storm's own output, stopped as above
            sys.stdout.flush()
            returncode = run_storm_local(command, None)
            if returncode != 0:
                raise UserError(f"Storm stopped with exit code {returncode}",
                                "read its output above")  # fmt: skip
            return None
        return original_local(command, *args, **kwargs)

    def storm_lib_version() -> Any:
        tree = subprocess.run(
            ["lein", "deps", ":tree"], capture_output=True, text=True, check=True
        ).stdout
        return parse_version(storm_core_version(tree))

    import streamparse.util as util

    original_env = util.get_env_config

    def get_env_config(env_name: str | None = None, config_file: Any = None) -> Any:
        name, env = original_env(env_name, config_file=config_file)
        return name, checked_env(name, env)

    import streamparse.cli.common as common

    original_resolve = common.resolve_options

    def resolve_options(cli_options: Any, env_config: Any, topology_class: Any, *args: Any,
                        **kwargs: Any) -> dict[str, Any]:  # fmt: skip
        options = original_resolve(cli_options, env_config, topology_class, *args, **kwargs)
        option_parallelism(topology_class, options)
        checked_options(topology_class, options)
        _RUN.update(topology=topology_class, options=options, name=args[0] if args else "topology")
        multilang_serializer(components_serializer(env_config, util.get_config()), options)
        return options

    def set_topology_serializer(env_config: Any, config: Any, topology_class: Any) -> None:
        serializer = components_serializer(env_config, config)
        original_set_serializer({"serializer": serializer}, config, topology_class)

    original_set_serializer = util.set_topology_serializer

    _replace_everywhere("resolve_options", resolve_options, common)
    _replace_everywhere("set_topology_serializer", set_topology_serializer)
    _replace_everywhere("storm_lib_version", storm_lib_version)
    _replace_everywhere("get_env_config", get_env_config)
    import streamparse.cli.jar as jar

    _replace_everywhere("jar_for_deploy", reused_jar(jar.jar_for_deploy), jar)
    run.local = local
    run.get_env_config = default_to_local_env(get_env_config)
    from streamparse.dsl.topology import Topology

    to_flux = Topology._spec_to_flux_dict
    Topology._spec_to_flux_dict = staticmethod(lambda spec: shutdown_safe(to_flux(spec)))
    _patch_submit()
    _patch_stats()

    venv_bin = str(Path(sys.executable).parent)
    path = [venv_bin, str(storm_home() / "bin"), os.environ.get("PATH", "")]
    os.environ["PATH"] = os.pathsep.join(path)
    if os.geteuid() == 0:
        os.environ.setdefault("LEIN_ROOT", "1")


def _replace_everywhere(name: str, value: Any, home: Any = None) -> None:
    """Set <home>.<name> (default streamparse.util) and the copies the CLI modules imported."""
    import importlib

    import streamparse.util as util

    setattr(home or util, name, value)
    for command in ("run", "submit", "list", "kill", "stats", "tail", "remove_logs",
                    "update_virtualenv", "visualize", "worker_uptime", "slot_usage"):  # fmt: skip
        module = importlib.import_module(f"streamparse.cli.{command}")
        if hasattr(module, name):
            setattr(module, name, value)


def _patch_submit() -> None:
    import streamparse.cli.submit as submit

    original_jar = submit.jar_for_deploy
    submit.jar_for_deploy = lambda simple_jar=False: original_jar(simple_jar=False)

    original_submit, original_kill = submit.submit_topology, submit._kill_existing_topology

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
        hosts = [s.host for s in nimbus_client.getClusterInfo().supervisors or []]
        checked_hosts(_RUN.get("topology"), _RUN.get("options", {}), hosts)
        original_kill(name, force, wait, nimbus_client)
        if not submit.is_safe_to_submit(name, nimbus_client):
            raise UserError(
                f"a topology named {name!r} is already running on the cluster",
                f"sparse kill -e <env> -n {name}, or sparse submit ... --force to replace it",
            )

    submit.submit_topology = submit_topology
    submit._kill_existing_topology = kill_existing


def _patch_stats() -> None:
    import streamparse.cli.stats as stats
    import streamparse.util as util

    original_jsons, original_topology_id = util.get_ui_jsons, stats._get_topology_id

    def get_ui_jsons(env_name: str, api_paths: Any, config_file: Any = None) -> dict[str, Any]:
        paths = list(api_paths)
        extra = [NIMBUS_SUMMARY] if CLUSTER_SUMMARY in paths and NIMBUS_SUMMARY not in paths else []
        data = original_jsons(env_name, paths + extra, config_file=config_file)
        if CLUSTER_SUMMARY in data:
            data[CLUSTER_SUMMARY] = with_nimbus_uptime(data[CLUSTER_SUMMARY], data[NIMBUS_SUMMARY])
        return {path: data[path] for path in paths}

    def get_topology_id(env_name: str, topology_name: str, config_file: Any = None) -> str:
        topology_id = original_topology_id(env_name, topology_name, config_file=config_file)
        if topology_id is None:
            raise UserError(
                f"no topology named {topology_name!r} is running on the cluster",
                f"sparse list -e {env_name} shows what runs",
            )
        return topology_id

    class TerminalWideTexttable(util.Texttable):
        def __init__(self, max_width: int = 80) -> None:
            if not sys.stdout.isatty():  # piped (`sparse stats | grep url_window`): no wrap
                max_width = 0
            else:
                max_width = max(max_width, shutil.get_terminal_size().columns)
            super().__init__(max_width=max_width)

    warnings.filterwarnings("ignore", message=".*0.9.2-incubating.*")
    _replace_everywhere("get_ui_jsons", get_ui_jsons)
    stats._get_topology_id = get_topology_id
    util.Texttable = TerminalWideTexttable


def main() -> None:
    """Entry point of the venv's `sparse`: streamparse's CLI with the patches applied."""
    apply()
    from requests.exceptions import ConnectionError as HttpConnectionError
    from streamparse.cli.sparse import main as sparse_main
    from streamparse.thrift import NotAliveException
    from thriftpy2.transport import TTransportException

    try:
        check_option_syntax(sys.argv[1:])
        sparse_main()
    except BadOption as err:
        print(f"sparse: {err}", file=sys.stderr)
        sys.exit(USAGE_ERROR)
    except NotAliveException as err:
        raise UserError(
            f"no such topology is running ({err.msg})", "sparse list -e <env> shows what runs"
        ) from None
    except HttpConnectionError as err:
        raise UserError(
            f"cannot reach the Storm UI's REST API ({err.request.url if err.request else err})",
            "sparse stats reads the Storm UI: start the cluster (make cluster-up starts the "
            "UI on port 8080), or set 'ui.port' in the environment of config.json",
        ) from None
    except (ConnectionRefusedError, TTransportException) as err:
        raise UserError(
            f"cannot reach Nimbus ({err})",
            "start the cluster (make cluster-up), or check 'nimbus' in config.json",
        ) from None
