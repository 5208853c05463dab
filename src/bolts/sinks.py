"""Sink bolts: windows and malformed lines to JSON-lines files (and the console)."""

from __future__ import annotations

from typing import Any

from streamparse import Bolt, Tuple

from logstorm import logs_options as opt
from logstorm.sinks import JsonLinesFile, window_table


class WindowSinkBolt(Bolt):
    """Appends each window to ``logstorm.output.path``; logs it as a table if asked."""

    def initialize(self, storm_conf: dict[str, Any], context: dict[str, Any]) -> None:
        options = opt.read_logs_options(storm_conf)
        self.out = JsonLinesFile(options[opt.OUTPUT_PATH])
        self.console = options[opt.CONSOLE]

    def process(self, tup: Tuple) -> None:
        window = tup.values[0]
        self.out.write(window)
        if self.console:
            self.logger.info("\n%s", window_table(window))


class ErrorSinkBolt(Bolt):
    """Appends each malformed line, with its reason, file and offset, to
    ``logstorm.errors.path``: nothing the parser rejects is lost.
    """

    def initialize(self, storm_conf: dict[str, Any], context: dict[str, Any]) -> None:
        self.out = JsonLinesFile(opt.read_logs_options(storm_conf)[opt.ERRORS_PATH])

    def process(self, tup: Tuple) -> None:
        reason, path, offset, line = tup.values
        self.out.write({"reason": reason, "path": path, "offset": offset, "line": line})
