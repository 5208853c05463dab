r"""Logs: the web-log analyzer.

logfiles --shuffle--> parse --fields(part: url bundles)-----> url_window ----global--> rankings
    |                     |\--fields(part: status bundles)--> status_window --/ /         |  ^
    |                     |\--fields(part: host bundles)----> host_window ----/           v  |
    |                      \--errors--> error_sink                                 window_sink
    \--watermarks (all; event time only)--> every window bolt

With a state store two feedback streams close the loop (logstorm.protocol): rankings
--released (all)--> the window bolts (what is out: forget it, or send again)
and window_sink --progress (global)--> rankings (how far it wrote: send what it lacks).

One window bolt per metric of logstorm.metrics: URL counts over the last 300 s every
second, status counts and client-host counts over the last 300 s every 5 seconds
(Storm's reduceByKeyAndWindow), by arrival time or, with -o logstorm.time=event, by
the lines' timestamps; ranked, written as JSON lines. The parse bolt sums each chunk
per key and sends every window task one bundle of its keys (see
logstorm.parsing.partition and bolts.parse): one tuple per task and chunk.
"""

import os
from typing import Any

from streamparse import Grouping, Topology
from streamparse.thrift import GlobalStreamId

from bolts.parse import AccessLogParseBolt
from bolts.rankings import RankingsBolt
from bolts.sinks import ErrorSinkBolt, WindowSinkBolt
from bolts.windows import WindowBolt
from logstorm import logs_options as opt
from logstorm.metrics import METRICS
from logstorm.output.console import LogsConsole
from logstorm.state.hosts import check_hosts
from spouts.logfiles import LogFileSpout


def _later(component: str, stream: str) -> GlobalStreamId:
    # A stream of a component declared further down: the feedback streams form loops.
    return GlobalStreamId(componentId=component, streamId=stream)


def _window_bolts(parse: Any, logfiles: Any) -> dict[str, Any]:
    # One window bolt per metric, fed by its parse stream, every watermark and what
    # the rankings released.
    return {
        metric.component: WindowBolt.spec(
            metric,
            inputs={
                parse[metric.stream]: Grouping.fields("part"),
                logfiles["watermarks"]: Grouping.ALL,
                _later("rankings", "released"): Grouping.ALL,
            },
        )
        for metric in METRICS
    }


def _run_path(*parts: str) -> str:
    # Resolved when sparse builds the topology, so the Python workers (which run in
    # Storm's own folders) read and write inside the project's run/, or the folder
    # LOGSTORM_RUN names (the test suite's, apart from a user's make run).
    return os.path.abspath(os.path.join(os.environ.get("LOGSTORM_RUN") or "run", *parts))


class Logs(Topology):
    config = {
        "logstorm.input.path": _run_path("live"),
        "logstorm.output.path": _run_path("logs", "windows.jsonl"),
        "logstorm.errors.path": _run_path("logs", "errors.jsonl"),
        "logstorm.state.path": _run_path("logs", "state"),
        # Window bolts ack about once a second (after journaling), so a chunk's tree
        # takes 0.5-1.5 s: the spout needs that long's chunks in flight. In lines: 200
        # chunks of 1,000 capped a run at 41,000 lines/s of 200,000 written; 500,000
        # lines (100 chunks of up to 5,000) keep up with 200,000 (BENCHMARKS.md).
        "topology.max.spout.pending": 100,
    }

    # -o logstorm.input.tasks=N runs N spout tasks (Kafka partitions are shared out),
    # -o logstorm.parse.tasks=N N parse tasks
    option_parallelism = {opt.INPUT_TASKS: "logfiles", opt.PARSE_TASKS: "parse"}
    # sparse run/submit check every option before building or starting anything
    check_options = staticmethod(opt.read_logs_options)
    # sparse submit refuses what needs one host's disk on a cluster of several
    check_hosts = staticmethod(check_hosts)
    # what sparse run prints (Storm's logging goes to logs/sparse-run-logs.log)
    console = LogsConsole
    logfiles = LogFileSpout.spec(name="logfiles", par=1)
    parse = AccessLogParseBolt.spec(
        name="parse", inputs={logfiles: Grouping.SHUFFLE}, par={"local": 2, "cluster": 4}
    )
    windows = _window_bolts(parse, logfiles)
    vars().update(windows)  # streamparse takes the components among the class attributes
    rankings = RankingsBolt.spec(
        name="rankings",
        inputs={
            **dict.fromkeys(windows.values(), Grouping.GLOBAL),
            _later("window_sink", "progress"): Grouping.GLOBAL,
        },
        par=1,
    )
    window_sink = WindowSinkBolt.spec(
        name="window_sink",
        inputs={rankings: Grouping.GLOBAL},
        par=1,
        config={"topology.tick.tuple.freq.secs": 1},  # reports progress in a quiet spell
    )
    error_sink = ErrorSinkBolt.spec(
        name="error_sink",
        inputs={parse["errors"]: Grouping.GLOBAL},
        par=1,
        config={"topology.tick.tuple.freq.secs": 1},  # writes the tally of a quiet spell
    )
