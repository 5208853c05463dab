"""Drive one spout or bolt without Storm: feed tuples (ticks included), capture what it says.

The component runs its real pystorm loop step (``_run``) on tuples or commands
handed in here instead of read from Storm's pipe, and every message it would send
to Storm (emits, acks, fails, syncs) is recorded. Exceptions propagate to the test.
"""

from __future__ import annotations

import io
import itertools
import logging
from typing import Any

from pystorm.component import Tuple

_ids = itertools.count(1)


class Harness:
    """Common part: build the component with a conf and a Storm-like context."""

    def __init__(
        self,
        component_cls: type,
        conf: dict[str, Any] | None = None,
        *,
        name: str = "component",  # this component's id; other_tasks: task -> other component
        task_id: int = 1,
        task_ids: tuple[int, ...] = (),
        other_tasks: dict[int, str] | None = None,
    ) -> None:
        self.component = component_cls(input_stream=io.BytesIO(), output_stream=io.BytesIO())
        self.sent: list[dict[str, Any]] = []
        self.component.send_message = self.sent.append
        tasks = task_ids or (task_id,)
        context = {
            "taskid": task_id,
            "componentid": name,
            "task->component": {
                **{str(t): c for t, c in (other_tasks or {}).items()},
                **{str(t): name for t in tasks},
            },
        }
        conf = {"topology.name": "test", **(conf or {})}
        root = logging.getLogger()
        handlers = list(root.handlers)
        self.component._setup_component(conf, context)
        root.handlers[:] = handlers  # keep pystorm's Storm log handler out of the test run
        self.component.initialize(conf, context)

    def messages(self, command: str) -> list[dict[str, Any]]:
        """Messages of one kind ("emit", "ack", "fail", "sync", ...) in order."""
        return [m for m in self.sent if m.get("command") == command]

    def emitted(self, stream: str | None = None) -> list[list[Any]]:
        """Values of the tuples emitted on stream (None: the default stream)."""
        return [m["tuple"] for m in self.messages("emit") if m.get("stream") == stream]

    def clear(self) -> None:
        """Forget what was captured so far."""
        self.sent.clear()


class BoltHarness(Harness):
    """Feeds tuples to a bolt through its real ``_run`` step (auto-ack/anchor included)."""

    def feed(
        self,
        values: list[Any],
        *,
        stream: str = "default",
        source: str = "upstream",
        task: int = 99,
    ) -> Tuple:
        """Deliver one data tuple from task of source; return it (its id names acks, anchors)."""
        return self._deliver(Tuple(str(next(_ids)), source, stream, task, list(values)))

    def tick(self, freq_secs: int = 1) -> Tuple:
        """Deliver one tick tuple, as Storm does every topology.tick.tuple.freq.secs."""
        return self._deliver(Tuple(str(next(_ids)), "__system", "__tick", -1, [freq_secs]))

    def _deliver(self, tup: Tuple) -> Tuple:
        self.component.read_tuple = lambda: tup
        self.component._run()
        return tup

    def acked(self) -> list[str]:
        """Ids of the tuples the bolt acked."""
        return [m["id"] for m in self.messages("ack")]

    def failed(self) -> list[str]:
        """Ids of the tuples the bolt failed."""
        return [m["id"] for m in self.messages("fail")]


class SpoutHarness(Harness):
    """Sends Storm's spout commands (next, ack, fail) through the spout's real ``_run`` step."""

    def next_tuple(self) -> list[dict[str, Any]]:
        """One `next` command; return the emits it produced."""
        return self._command({"command": "next"})

    def ack(self, tup_id: Any) -> list[dict[str, Any]]:
        """Tell the spout the tuple tree of tup_id completed."""
        return self._command({"command": "ack", "id": tup_id})

    def fail(self, tup_id: Any) -> list[dict[str, Any]]:
        """Tell the spout the tuple tree of tup_id failed (or timed out)."""
        return self._command({"command": "fail", "id": tup_id})

    def _command(self, cmd: dict[str, Any]) -> list[dict[str, Any]]:
        start = len(self.sent)
        self.component.read_command = lambda: cmd
        self.component._run()
        new = self.sent[start:]
        assert new and new[-1] == {"command": "sync"}, "a spout must sync after every command"
        return [m for m in new if m.get("command") == "emit"]
