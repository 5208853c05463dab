"""``python -m logstorm.dashboard``: serve the live dashboard of a log analysis.

Prints one line with the page's URL, then serves until Ctrl-C or SIGTERM (exit code 0,
also when started in the background by a script). Exit code 2 when the port is taken
(the message names the port and the ``--port`` fix), 1 when the page's chart library
was not installed (``tools/bootstrap``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import signal
import sys
from pathlib import Path

from aiohttp import web

from logstorm.dashboard.feed import WindowFeed
from logstorm.dashboard.server import ECHARTS, make_app
from logstorm.dashboard.window_sources import TopicWindows
from logstorm.kafka_topic import KafkaUnavailable

PROJECT = Path(__file__).resolve().parents[3]
DEFAULT_PORT = 8765
DEFAULT_WINDOWS = PROJECT / "run" / "logs" / "windows.jsonl"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line's options."""
    p = argparse.ArgumentParser(prog="python -m logstorm.dashboard", description=__doc__)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"({DEFAULT_PORT}; 0: any)")
    p.add_argument("--windows", type=Path, default=DEFAULT_WINDOWS,
                   help="logstorm.output.path (run/logs/windows.jsonl)")  # fmt: skip
    p.add_argument("--windows-topic", default="",
                   help="read the windows from this Kafka topic (logstorm.output.kafka.topic, "
                        "committed records only) instead of the file: on a cluster")  # fmt: skip
    p.add_argument("--kafka-servers", default="127.0.0.1:9092",
                   help="bootstrap servers of --windows-topic (127.0.0.1:9092)")  # fmt: skip
    p.add_argument("--errors", type=Path, default=None,
                   help="logstorm.errors.path (errors.jsonl beside --windows)")  # fmt: skip
    p.add_argument("--minutes", type=int, default=15,
                   help="how many minutes of status windows the page draws (15)")  # fmt: skip
    p.add_argument("--storm-ui", default="",
                   help="the Storm UI's URL on a cluster, e.g. http://127.0.0.1:8080")  # fmt: skip
    return p.parse_args(argv)


async def serve(args: argparse.Namespace) -> int:
    """Serve until cancelled; the exit code."""
    source = None
    if args.windows_topic:
        try:
            source = TopicWindows(args.kafka_servers, args.windows_topic)
        except KafkaUnavailable as err:
            print(f"dashboard: {err}", file=sys.stderr)
            return 2
    feed = WindowFeed(args.windows, args.errors, history_secs=args.minutes * 60, source=source)
    feed.poll_windows()  # the file so far, before the first page asks (a day's: some seconds)
    runner = web.AppRunner(make_app(feed, args.storm_ui), access_log=None, shutdown_timeout=1)
    await runner.setup()
    site = web.TCPSite(runner, args.host, args.port)
    try:
        await site.start()
    except OSError as e:
        await runner.cleanup()
        if e.errno != errno.EADDRINUSE:
            raise
        print(f"dashboard: port {args.port} on {args.host} is taken (another dashboard?); "
              f"fix: --port {args.port + 1} (or any free port)", file=sys.stderr)  # fmt: skip
        return 2
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]  # started: the real port for --port 0
    print(f"dashboard: http://{args.host}:{port}/ ({feed.source.where()})", flush=True)
    # Ctrl-C and kill stop it cleanly, also when started in the background by a script
    # (whose jobs inherit SIGINT ignored: Ctrl-C at the terminal would not reach it).
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the dashboard server; the exit code."""
    args = parse_args(argv)
    if not ECHARTS.exists():
        print(f"dashboard: {ECHARTS} is missing; fix: tools/bootstrap", file=sys.stderr)
        return 1
    with contextlib.suppress(KeyboardInterrupt):
        return asyncio.run(serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
