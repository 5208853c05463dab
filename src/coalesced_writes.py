"""A streamparse helper shared by spouts and bolts (components never import each other).

Mixed in before streamparse's ``Spout`` or ``Bolt``:

    class SplitSentenceBolt(CoalescedWrites, Bolt): ...
"""

from __future__ import annotations

import contextlib
from typing import Any

from pystorm.component import Component
from pystorm.exceptions import StormWentAwayError


class CoalescedWrites(Component):
    """Sends what a component says about one input (emits, ack, sync) in one write.

    pystorm writes and flushes each message, so Storm's reader thread wakes up once
    per message; here messages wait in the output buffer until the component next
    reads from Storm (or exits), and the reader gets them together. Same messages,
    same order. For components that talk to Storm from one thread only.
    """

    def send_message(self, message: dict[str, Any]) -> None:
        self.serializer.output_stream.write(self.serializer.serialize_dict(message))

    def read_message(self) -> Any:
        try:
            self.serializer.output_stream.flush()
        except OSError as err:  # as pystorm's own send_message reports it
            raise StormWentAwayError() from err
        return super().read_message()

    def _exit(self, status_code: int) -> None:
        with contextlib.suppress(OSError):  # Storm went away: nobody left to tell
            self.serializer.output_stream.flush()
        super()._exit(status_code)
