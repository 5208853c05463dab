"""A page kept open in a real headless Chromium and read while it updates, through the
DevTools protocol: for pages that stream (the dashboard's EventSource).

``tests/browser.py`` takes the DOM with ``chromium --dump-dom --virtual-time-budget``,
which waits for the page's network to be quiet. A page with an open EventSource never
is: virtual time stops while a request is pending, and chromium ran until it was killed
(tried on the dashboard: over 60 s for a 5 s budget). Here Chromium runs with a
DevTools port on loopback and the test asks the page itself, with a deadline, whenever
it likes: the DOM, a JavaScript value, a screenshot.

>>> with LivePage("http://127.0.0.1:8765/") as page:                       # doctest: +SKIP
...     page.wait_for("document.querySelectorAll('#top-url li').length")  # doctest: +SKIP
...     page.screenshot(Path("test-artifacts/dashboard.png"))          # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import base64
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
from browser import FLAGS, stop_group


class LivePage:
    """One Chromium tab on url, open until the with block ends."""

    def __init__(self, url: str, width: int = 1400, height: int = 1800) -> None:
        self.url, self.size = url, (width, height)
        self.loop = asyncio.new_event_loop()
        self.errors: list[str] = []  # uncaught exceptions and console errors of the page
        self._id = 0

    def __enter__(self) -> LivePage:
        self._profile = tempfile.TemporaryDirectory(prefix="chromium-")
        argv = ["chromium", *FLAGS, f"--user-data-dir={self._profile.name}",
                "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
                f"--window-size={self.size[0]},{self.size[1]}", "about:blank"]  # fmt: skip
        # its own process group: Chromium's helper processes outlive the browser process
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     start_new_session=True)  # fmt: skip
        try:
            self.loop.run_until_complete(self._connect())
            self.call("Runtime.enable")
            self.call("Emulation.setDeviceMetricsOverride", width=self.size[0],
                      height=self.size[1], deviceScaleFactor=1, mobile=False)  # fmt: skip
            self.call("Page.enable")
            self.call("Page.navigate", url=self.url)
            self.wait_for("location.href !== 'about:blank' && document.readyState === 'complete'")
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        if getattr(self, "session", None):
            self.loop.run_until_complete(self.session.close())
        stop_group(self.proc)
        self.loop.close()
        self._profile.cleanup()  # nothing of Chromium writes into it any more

    async def _connect(self) -> None:
        active = Path(self._profile.name) / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (active.exists() and active.read_text().count("\n") >= 1):
            assert self.proc.poll() is None, "chromium exited at start"
            assert time.monotonic() < deadline, "chromium opened no DevTools port in 30 s"
            await asyncio.sleep(0.05)
        port = active.read_text().split("\n")[0]
        self.session = aiohttp.ClientSession()
        async with self.session.get(f"http://127.0.0.1:{port}/json/list") as r:
            page = next(t for t in await r.json() if t["type"] == "page")
        self.ws = await self.session.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0)

    def call(self, method: str, timeout: float = 30, **params: Any) -> dict[str, Any]:
        """A DevTools command's result."""
        return self.loop.run_until_complete(self._call(method, params, timeout))

    async def _call(self, method: str, params: dict[str, Any], timeout: float) -> dict:
        self._id += 1
        await self.ws.send_json({"id": self._id, "method": method, "params": params})
        async with asyncio.timeout(timeout):
            while True:
                message = await self.ws.receive_json()
                if message.get("id") == self._id:
                    assert "error" not in message, f"{method}: {message['error']}"
                    return message["result"]
                self._note(message)

    def _note(self, event: dict[str, Any]) -> None:
        if event.get("method") == "Runtime.exceptionThrown":
            details = event["params"]["exceptionDetails"]
            self.errors.append(details.get("exception", {}).get("description") or str(details))
        elif event.get("method") == "Runtime.consoleAPICalled" and (
            event["params"]["type"] == "error"
        ):
            self.errors.append(" ".join(str(a.get("value")) for a in event["params"]["args"]))

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (JSON-able values)."""
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        assert "exceptionDetails" not in result, f"{expression}: {result['exceptionDetails']}"
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 30) -> Any:
        """Poll expression until its value is truthy; fail after timeout seconds."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            assert time.monotonic() < deadline, (
                f"timed out after {timeout:.0f}s waiting for {expression}; page errors: "
                f"{self.errors}"
            )
            time.sleep(0.05)

    def dom(self) -> str:
        """The page's DOM now, as HTML."""
        return self.evaluate("document.documentElement.outerHTML")

    def screenshot(self, png: Path) -> Path:
        """A PNG of the page as it is now at png (its folders are created)."""
        png.parent.mkdir(parents=True, exist_ok=True)
        png.write_bytes(base64.b64decode(self.call("Page.captureScreenshot")["data"]))
        return png
