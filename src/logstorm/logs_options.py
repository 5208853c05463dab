"""Options of the logs topology (``sparse run -n logs -o logstorm.top=20``).

Every component reads them all through :func:`read_logs_options`, so a misspelt
or ill-typed ``logstorm.*`` key stops the topology at start with the key named.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from logstorm.metrics import METRICS, Metric
from logstorm.options import Option, OptionError, non_negative, positive, read_options

INPUT_KIND = "logstorm.input.kind"
INPUT_TASKS = "logstorm.input.tasks"
PARSE_TASKS = "logstorm.parse.tasks"
INPUT_PATH = "logstorm.input.path"
INPUT_PATTERN = "logstorm.input.pattern"
INPUT_MODE = "logstorm.input.mode"
POSITION_FILE = "logstorm.input.position.file"
DONE_SUFFIX = "logstorm.input.done.suffix"
BATCH_LINES = "logstorm.input.batch.lines"
MAX_LINE_BYTES = "logstorm.input.max.line.bytes"
POLL_SECS = "logstorm.input.poll.secs"
KAFKA_SERVERS = "logstorm.input.kafka.servers"
KAFKA_TOPIC = "logstorm.input.kafka.topic"
KAFKA_GROUP = "logstorm.input.kafka.group"
KAFKA_START = "logstorm.input.kafka.start"
OUTPUT_PATH = "logstorm.output.path"
OUTPUT_KAFKA_TOPIC = "logstorm.output.kafka.topic"
OUTPUT_KAFKA_SERVERS = "logstorm.output.kafka.servers"
ERRORS_PATH = "logstorm.errors.path"
OUTPUT_MAX_BYTES = "logstorm.output.max.bytes"
OUTPUT_KEEP = "logstorm.output.keep"
ERRORS_MAX_BYTES = "logstorm.errors.max.bytes"
ERRORS_KEEP = "logstorm.errors.keep"
ERRORS_SAMPLES = "logstorm.errors.samples.per.minute"
STATE_PATH = "logstorm.state.path"
STATE_BACKEND = "logstorm.state.backend"
STATE_KAFKA_SERVERS = "logstorm.state.kafka.servers"
CONSOLE = "logstorm.console"
TOP = "logstorm.top"
TIME = "logstorm.time"
ALLOWED_LATENESS = "logstorm.allowed_lateness_secs"
IDLE_TIMEOUT = "logstorm.idle_timeout_secs"
TABLE = (
    Option(
        INPUT_KIND,
        str,
        "files",
        "files: read the log files of a folder; kafka: read a Kafka topic",
        lambda v: v in ("files", "kafka"),
        "'files' or 'kafka'",
    ),
    Option(
        INPUT_TASKS,
        int,
        1,
        "spout tasks (kafka: up to the topic's partitions; files: 1)",
        positive,
        "> 0",
    ),
    Option(
        PARSE_TASKS,
        int,
        None,
        "parse tasks (default: 2 on sparse run, 4 on a cluster)",
        positive,
        "> 0",
    ),
    Option(INPUT_PATH, str, "", "folder of the log files to read", bool, "naming a folder"),
    Option(INPUT_PATTERN, str, "*", "glob of the file names to read in that folder"),
    Option(
        INPUT_MODE,
        str,
        "tail",
        "tail: follow growing files; spool: read complete files once",
        lambda v: v in ("tail", "spool"),
        "'tail' or 'spool'",
    ),
    Option(
        POSITION_FILE, str, "", "position file (default: <input.path>/.logstorm-positions.json)"
    ),
    Option(
        DONE_SUFFIX, str, ".COMPLETED", "suffix added to spooled files once done ('' keeps names)"
    ),
    # 5,000 rather than 1,000: a chunk's distinct keys per line fall 0.75 -> 0.34 (live
    # traffic; each is packed, passed by the JVM, counted and journaled), and the tuples
    # per line fivefold; live at 200,000 lines/s 6.8 -> 5.8 CPU-s per million lines
    # (BENCHMARKS.md). At low rates a chunk takes only the lines ready, as before.
    Option(BATCH_LINES, int, 5000, "lines per spout tuple, at most", positive, "> 0"),
    Option(MAX_LINE_BYTES, int, 64 * 1024, "longer lines are cut and flagged", positive, "> 0"),
    Option(POLL_SECS, float, 1.0, "seconds between looks for new files", positive, "> 0"),
    Option(
        KAFKA_SERVERS,
        str,
        "127.0.0.1:9092",
        "Kafka bootstrap servers (host:port,...)",
        bool,
        "naming host:port",
    ),
    Option(KAFKA_TOPIC, str, "access-log", "Kafka topic of the log lines", bool, "a topic name"),
    Option(
        KAFKA_GROUP,
        str,
        "logstorm",
        "Kafka consumer group (its committed offsets)",
        bool,
        "a group name",
    ),
    Option(
        KAFKA_START,
        str,
        "earliest",
        "where a new consumer group starts: earliest or latest",
        lambda v: v in ("earliest", "latest"),
        "'earliest' or 'latest'",
    ),
    Option(OUTPUT_PATH, str, "", "JSON-lines file of the windows", bool, "naming a file"),
    Option(OUTPUT_KAFKA_TOPIC, str, "", "also produce each window to this Kafka topic ('' : no)"),
    Option(
        OUTPUT_KAFKA_SERVERS,
        str,
        "127.0.0.1:9092",
        "Kafka bootstrap servers of the windows topic",
        bool,
        "naming host:port",
    ),
    Option(
        OUTPUT_MAX_BYTES,
        int,
        64 * 2**20,
        "the windows file rotates (to <file>.1, ...) before it grows past this",
        positive,
        "> 0",
    ),
    Option(OUTPUT_KEEP, int, 5, "rotated windows files kept", non_negative, ">= 0"),
    Option(ERRORS_PATH, str, "", "JSON-lines file of malformed lines", bool, "naming a file"),
    Option(
        ERRORS_MAX_BYTES,
        int,
        64 * 2**20,
        "the errors file rotates (to <file>.1, ...) before it grows past this",
        positive,
        "> 0",
    ),
    Option(ERRORS_KEEP, int, 1, "rotated errors files kept", non_negative, ">= 0"),
    Option(
        ERRORS_SAMPLES,
        int,
        60,
        "lines written to the errors file per reason (and metric) per minute; the rest "
        "only counted",
        non_negative,
        ">= 0",
    ),
    Option(
        STATE_BACKEND,
        str,
        "dir",
        "where window state lives: dir (logstorm.state.path, one host) or kafka (topics "
        "on logstorm.state.kafka.servers, any number of hosts)",
        lambda v: v in ("dir", "kafka"),
        "'dir' or 'kafka'",
    ),
    Option(
        STATE_PATH,
        str,
        "",
        "backend dir: folder of the window state ('' keeps windows in memory only)",
    ),
    Option(
        STATE_KAFKA_SERVERS,
        str,
        "127.0.0.1:9092",
        "backend kafka: bootstrap servers of the state topics",
        bool,
        "naming host:port",
    ),
    Option(CONSOLE, bool, True, "print each window as a table in the log"),
    Option(TOP, int, 10, "keys per window in the rankings", positive, "> 0"),
    Option(
        TIME,
        str,
        "processing",
        "processing: windows by arrival time; event: by the lines' timestamps",
        lambda v: v in ("processing", "event"),
        "'processing' or 'event'",
    ),
    Option(
        ALLOWED_LATENESS,
        int,
        60,
        "event time: how far behind the newest timestamp a line may be and still count",
        non_negative,
        ">= 0",
    ),
    Option(
        IDLE_TIMEOUT,
        float,
        10.0,
        "event time, tail mode: seconds without new lines before windows close by the clock",
        positive,
        "> 0",
    ),
    *(
        option
        for metric in METRICS
        for option in (
            Option(
                metric.window_option,
                int,
                metric.window_secs,
                f"{metric.name} window length, seconds",
                positive,
                "> 0",
            ),
            Option(
                metric.slide_option,
                int,
                metric.slide_secs,
                f"seconds between {metric.name} windows",
                positive,
                "> 0",
            ),
        )  # fmt: skip
    ),
)


def slides(options: Mapping[str, Any]) -> dict[str, int]:
    """Slide seconds per metric."""
    return {metric.name: options[metric.slide_option] for metric in METRICS}


def window_shape(options: Mapping[str, Any], metric: Metric) -> tuple[int, int]:
    """A metric's (window, slide) seconds."""
    return options[metric.window_option], options[metric.slide_option]


def position_file(options: Mapping[str, Any]) -> str:
    """Where the file spout keeps its committed positions.

    >>> position_file({POSITION_FILE: "", INPUT_PATH: "/logs"})
    '/logs/.logstorm-positions.json'
    """
    return options[POSITION_FILE] or os.path.join(options[INPUT_PATH], ".logstorm-positions.json")


def keeps_state(options: Mapping[str, Any]) -> bool:
    """Whether the run keeps window state that outlives a process (journals, resends).

    >>> keeps_state({STATE_BACKEND: "dir", STATE_PATH: ""})
    False
    >>> keeps_state({STATE_BACKEND: "kafka", STATE_PATH: ""})
    True
    """
    return options[STATE_BACKEND] == "kafka" or bool(options[STATE_PATH])


def default(key: str) -> Any:
    """The default value of one option."""
    return next(o.default for o in TABLE if o.key == key)


def read_logs_options(conf: dict[str, Any]) -> dict[str, Any]:
    """Every logstorm.* option, checked (raises OptionError naming the key)."""
    options = read_options(conf, TABLE)
    if options[INPUT_KIND] == "files" and options[INPUT_TASKS] != 1:
        raise OptionError(
            f"option {INPUT_TASKS!r} ({options[INPUT_TASKS]}) must be 1 with "
            f"{INPUT_KIND}=files: one spout task reads the folder; fix: -o {INPUT_TASKS}=1, "
            f"or read a Kafka topic (-o {INPUT_KIND}=kafka), whose partitions tasks share"
        )
    if (
        options[STATE_BACKEND] == "kafka"
        and options[OUTPUT_KAFKA_TOPIC]
        and options[OUTPUT_KAFKA_SERVERS] != options[STATE_KAFKA_SERVERS]
    ):
        raise OptionError(
            f"option {OUTPUT_KAFKA_SERVERS!r} ({options[OUTPUT_KAFKA_SERVERS]}) must name the "
            f"brokers of {STATE_KAFKA_SERVERS!r} ({options[STATE_KAFKA_SERVERS]}): the windows "
            f"topic is written in one Kafka transaction with the sink's state; fix: -o "
            f"{OUTPUT_KAFKA_SERVERS}={options[STATE_KAFKA_SERVERS]}"
        )
    for metric in METRICS:
        window, slide = metric.window_option, metric.slide_option
        if options[window] % options[slide]:
            raise OptionError(
                f"option {window!r} ({options[window]}) must be a multiple of {slide!r} "
                f"({options[slide]}) for the {metric.name} window; fix: -o {window}=<multiple>"
            )
    return options
