"""Patch 15: SIGTERM or SIGHUP to ``sparse run`` stops Storm as Ctrl-C does.

What goes wrong: ``sparse run`` sent SIGTERM (what ``timeout``, systemd and container
runtimes send) or SIGHUP exited at once and left the Storm JVM and every Python
component running as orphans.

The patch: ``streamparse.cli.run.local`` runs ``storm local`` (after patch 1 rewrote
the command) as a child it watches: SIGTERM or SIGHUP give Storm SIGTERM (its shutdown
stops the LocalCluster; each Python component exits when its pipe closes), and
``sparse`` exits with 128 + the signal's number once Storm is gone (143 for SIGTERM;
Storm is killed if it takes over 30 s). Storm's own exit code other than 0 stops
``sparse`` with a message. However it stopped, the LocalCluster's temporary folders go
with it (:mod:`streamparse_storm2.local_tmp`).
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from streamparse_storm2._target import replace, target
from streamparse_storm2.errors import UserError
from streamparse_storm2.local_tmp import storm_local_env

PATCH = __name__
STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)
STORM_STOP_SECS = 30


class StopSignal(Exception):
    """SIGTERM or SIGHUP reached ``sparse run``."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def run_storm_local(command: str, stdout: Any, poll: Callable[[], None] = lambda: None) -> int:
    """Run ``storm local``, calling poll about five times a second; SIGTERM or SIGHUP
    stop it as Ctrl-C does. Returns Storm's exit code."""

    def stop(signum: int, _frame: Any) -> None:
        raise StopSignal(signum)

    with storm_local_env(os.environ) as env:  # removed once Storm is gone
        before = {sig: signal.signal(sig, stop) for sig in STOP_SIGNALS}
        storm = None
        try:
            storm = subprocess.Popen(shlex.split(command), stdout=stdout, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, env=env)  # fmt: skip
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


def apply() -> None:
    inner = target(PATCH, "streamparse.cli.run", "local")

    def local(command: str, *args: Any, **kwargs: Any) -> Any:
        if command.startswith("storm local"):  # Storm's own output, stopped as above
            sys.stdout.flush()
            returncode = run_storm_local(command, None)
            if returncode != 0:
                raise UserError(f"Storm stopped with exit code {returncode}",
                                "read its output above")  # fmt: skip
            return None
        return inner(command, *args, **kwargs)

    replace(PATCH, "streamparse.cli.run", "local", local)
