"""Drive headless Chromium through the DevTools protocol over a pipe (no extra package).

``--remote-debugging-pipe`` makes the browser read protocol messages from file descriptor 3
and write its answers to 4, each JSON message ended by a NUL byte. This is enough to open a
page, follow redirects across origins with one cookie jar, fill and submit forms, read the
DOM, take a screenshot and let a download finish into a folder.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from browser_support import HEADLESS_FLAGS

_FLAGS = [*HEADLESS_FLAGS, "--remote-debugging-pipe"]


class CdpBrowser:
    """One browser with one tab; ``close()`` ends it."""

    def __init__(
        self, chromium: str, *, downloads: Path, width: int = 1280, height: int = 1800
    ) -> None:
        self._profile = tempfile.TemporaryDirectory(prefix="gh-cdp-")
        to_browser_r, to_browser_w = os.pipe()
        from_browser_r, from_browser_w = os.pipe()
        # Move the browser's ends above 4 first, so the dup2 to 3 and 4 cannot clobber them.
        high_r = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD, 10)
        high_w = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD, 10)
        os.close(to_browser_r)
        os.close(from_browser_w)

        def child() -> None:
            os.dup2(high_r, 3)
            os.dup2(high_w, 4)

        self._proc = subprocess.Popen(
            [
                chromium,
                *_FLAGS,
                f"--user-data-dir={self._profile.name}",
                f"--window-size={width},{height}",
                "about:blank",
            ],
            pass_fds=(3, 4, high_r, high_w),
            preexec_fn=child,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            close_fds=True,
        )
        os.close(high_r)
        os.close(high_w)
        self._out, self._in = to_browser_w, from_browser_r
        self._buf = b""
        self._ids = 0
        self.events: list[dict[str, Any]] = []
        self.downloads = downloads
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self._session = self.call("Target.attachToTarget", targetId=target, flatten=True)[
            "sessionId"
        ]
        self.call("Page.enable", session=True)
        self.call("Runtime.enable", session=True)
        self.call(
            "Browser.setDownloadBehavior",
            behavior="allowAndName",
            downloadPath=str(downloads),
            eventsEnabled=True,
        )

    # -- protocol -----------------------------------------------------------------------
    def call(
        self, method: str, *, session: bool = False, timeout: float = 30, **params: Any
    ) -> Any:
        self._ids += 1
        msg: dict[str, Any] = {"id": self._ids, "method": method, "params": params}
        if session:
            msg["sessionId"] = self._session
        os.write(self._out, json.dumps(msg).encode() + b"\0")
        want = self._ids
        deadline = time.monotonic() + timeout
        while True:
            for i, m in enumerate(self.events):
                if m.get("id") == want:
                    self.events.pop(i)
                    if "error" in m:
                        raise AssertionError(f"{method}: {m['error']}")
                    return m.get("result", {})
            self._read(deadline, method)

    def wait_event(
        self, method: str, *, timeout: float = 30, since: int = 0, match: Any = None
    ) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            for m in self.events[since:]:
                if m.get("method") == method and (match is None or match(m.get("params", {}))):
                    return m.get("params", {})
            self._read(deadline, method)

    def _read(self, deadline: float, what: str) -> None:
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"the browser did not answer {what} in time")
            ready, _, _ = select.select([self._in], [], [], left)
            if ready:
                chunk = os.read(self._in, 1 << 20)
                if not chunk:
                    raise AssertionError("the browser closed its pipe")
                self._buf += chunk
        raw, _, self._buf = self._buf.partition(b"\0")
        self.events.append(json.loads(raw))

    # -- a person's actions ---------------------------------------------------------------
    def _after_load(self, action: Any, timeout: float = 30) -> None:
        mark = len(self.events)
        action()
        self.wait_event("Page.loadEventFired", since=mark, timeout=timeout)

    def goto(self, url: str) -> None:
        """Open ``url`` and wait until the page (after any redirects) has loaded."""
        self._after_load(lambda: self.call("Page.navigate", session=True, url=url))

    def js(self, expression: str) -> Any:
        """The value of ``expression`` in the page."""
        res = self.call(
            "Runtime.evaluate",
            session=True,
            expression=expression,
            returnByValue=True,
            awaitPromise=True,
        )
        if "exceptionDetails" in res:
            raise AssertionError(f"script failed: {res['exceptionDetails']}")
        return res.get("result", {}).get("value")

    def click_and_load(self, selector: str) -> None:
        """Click an element that navigates, and wait for the next page."""
        self._after_load(lambda: self.js(f"document.querySelector({json.dumps(selector)}).click()"))

    def fill(self, selector: str, value: str) -> None:
        self.js(
            f"(function(){{const el = document.querySelector({json.dumps(selector)});"
            f"el.value = {json.dumps(value)}; el.dispatchEvent(new Event('change'));}})()"
        )

    def url(self) -> str:
        return str(self.js("location.href"))

    def download(self, selector: str, *, timeout: float = 30) -> bytes:
        """Click a download link and return the file's bytes once complete."""
        mark = len(self.events)
        self.js(f"document.querySelector({json.dumps(selector)}).click()")
        begin = self.wait_event("Browser.downloadWillBegin", since=mark, timeout=timeout)
        self.wait_event(
            "Browser.downloadProgress",
            since=mark,
            timeout=timeout,
            match=lambda p: p.get("guid") == begin["guid"] and p.get("state") == "completed",
        )
        return (self.downloads / begin["guid"]).read_bytes()

    def screenshot(self, path: Path) -> Path:
        """A full-page PNG of what is shown."""
        data = self.call(
            "Page.captureScreenshot", session=True, format="png", captureBeyondViewport=True
        )["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def close(self) -> None:
        try:
            self.call("Browser.close", timeout=5)
        except (AssertionError, OSError):
            pass
        try:
            self._proc.wait(10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        for fd in (self._out, self._in):
            try:
                os.close(fd)
            except OSError:
                pass
        self._profile.cleanup()
