"""The dashboard's web server (aiohttp): the page, its chart library, and the feed as
server-sent events.

``GET /`` is the page (``dashboard/index.html`` of the repository), ``/vendor/echarts.js``
Apache ECharts from ``dashboard/node_modules`` (installed by ``tools/bootstrap``),
``GET /events`` the event stream: a ``history`` event first (the recent windows,
tally and health: a browser that connects or reconnects draws at once), then a
``window``, ``tally``, ``health`` or ``storm`` event as each arrives. One task polls the
feed (the windows file every 0.1 s, the tally and status files every second) and hands
each message to every connected browser's queue; a browser too slow to keep up is
disconnected, and its EventSource reconnects and gets the history again.
``GET /api/history`` is the history as plain JSON, ``GET /metrics`` the run's figures in
Prometheus' text format (:mod:`.metrics`).

>>> app = make_app(WindowFeed("run/logs/windows.jsonl"))
>>> sorted({r.resource.canonical for r in app.router.routes()})
['/', '/api/history', '/dashboard.js', '/events', '/metrics', '/style.css', '/vendor/echarts.js']
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from aiohttp import web

from logstorm.dashboard.feed import Message, WindowFeed
from logstorm.dashboard.prometheus import CONTENT_TYPE, exposition
from logstorm.dashboard.storm_ui import fetch_ui_health

PAGE_DIR = Path(__file__).resolve().parents[3] / "dashboard"
ECHARTS = PAGE_DIR / "node_modules" / "echarts" / "dist" / "echarts.min.js"
PAGE_FILES = ("index.html", "dashboard.js", "style.css")
WINDOW_POLL_SECS = 0.1
SIDE_POLL_SECS = 1.0
STORM_POLL_SECS = 5.0
KEEPALIVE_SECS = 15.0
QUEUE_MESSAGES = 1000  # a browser this far behind is disconnected (it reconnects)

FEED = web.AppKey("feed", WindowFeed)
CLIENTS: web.AppKey[set[Any]] = web.AppKey("clients", set)
STORM_UI = web.AppKey("storm_ui", str)


def sse(event: str, data: Any) -> bytes:
    """One server-sent event."""
    return f"event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n".encode()


def make_app(feed: WindowFeed, storm_ui: str = "") -> web.Application:
    """The dashboard application over feed; storm_ui: the Storm UI's base URL, or ''."""
    app = web.Application()
    app[FEED], app[CLIENTS], app[STORM_UI] = feed, set(), storm_ui
    app.router.add_get("/", _file("index.html"))
    for name in PAGE_FILES[1:]:
        app.router.add_get(f"/{name}", _file(name))
    app.router.add_get("/vendor/echarts.js", _vendor)
    app.router.add_get("/events", _events)
    app.router.add_get("/api/history", _history)
    app.router.add_get("/metrics", _metrics)
    app.cleanup_ctx.append(_poller)
    app.on_shutdown.append(_close_streams)
    return app


def _file(name: str):
    async def handler(request: web.Request) -> web.FileResponse:
        return web.FileResponse(PAGE_DIR / name, headers={"Cache-Control": "no-cache"})

    return handler


async def _vendor(request: web.Request) -> web.StreamResponse:
    if not ECHARTS.exists():
        raise web.HTTPInternalServerError(text=f"{ECHARTS} is missing: run tools/bootstrap")
    return web.FileResponse(ECHARTS)


async def _history(request: web.Request) -> web.Response:
    return web.json_response(request.app[FEED].history())


async def _metrics(request: web.Request) -> web.Response:
    body = exposition(request.app[FEED])
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})


async def _events(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(
        headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
    )
    await response.prepare(request)
    queue: asyncio.Queue[Message | None] = asyncio.Queue(QUEUE_MESSAGES)
    clients = request.app[CLIENTS]
    clients.add(queue)  # before the history is taken: nothing falls between the two
    try:
        await response.write(b"retry: 1000\n\n" + sse("history", request.app[FEED].history()))
        while True:
            try:
                message = await asyncio.wait_for(queue.get(), KEEPALIVE_SECS)
            except TimeoutError:
                await response.write(b": keepalive\n\n")  # finds a browser that left
                continue
            if message is None:  # too far behind, or the server stops
                break
            await response.write(sse(message["type"], message))
    except (ConnectionResetError, ConnectionError):
        pass  # the browser left
    finally:
        clients.discard(queue)
    return response


def _publish(app: web.Application, messages: list[Message]) -> None:
    clients: set[Any] = app[CLIENTS]
    for queue in list(clients):
        for message in messages:
            try:
                queue.put_nowait(message)
            except asyncio.QueueFull:
                app[CLIENTS].discard(queue)
                queue.get_nowait()  # room for the end-of-stream mark
                queue.put_nowait(None)
                break


async def _poller(app: web.Application) -> AsyncIterator[None]:
    task = asyncio.create_task(_poll(app))
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _poll(app: web.Application) -> None:
    feed, loop = app[FEED], asyncio.get_running_loop()
    next_side = next_storm = 0.0
    while True:
        messages = feed.poll_windows()
        now = loop.time()
        if now >= next_side:
            messages += feed.poll_side()
            next_side = now + SIDE_POLL_SECS
        if app[STORM_UI] and now >= next_storm:
            next_storm = now + STORM_POLL_SECS
            try:
                storm = await asyncio.to_thread(fetch_ui_health, app[STORM_UI]) or {
                    "error": f"Storm UI at {app[STORM_UI]}: no topology named logs is running"
                }
            except (OSError, ValueError) as e:
                storm = {"error": f"Storm UI at {app[STORM_UI]}: {e}"}
            messages += feed.set_storm(storm)
        if messages:
            _publish(app, messages)
        await asyncio.sleep(WINDOW_POLL_SECS)


async def _close_streams(app: web.Application) -> None:
    clients: set[Any] = app[CLIENTS]
    for queue in list(clients):
        with contextlib.suppress(asyncio.QueueFull):
            queue.put_nowait(None)
