"""The explorer's tests run its page (web/dist/, built by web/build.sh) in a
headless Chromium on its WebGPU adapter, driven through the DevTools
protocol over a pipe: the page is served on 127.0.0.1 by this
process, and nothing else is reached.

A missing build, browser or adapter fails the tests with what to do; none
of them is skipped.

This module holds the driver (a headless Chromium over the DevTools
protocol: tabs, JavaScript evaluated in them with promises awaited,
screenshots) and the fixtures; it is not a conftest.py, whose module name
would clash with python/tests' when pytest collects both folders at once."""

from __future__ import annotations

import base64
import functools
import http.server
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "web" / "dist"
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


class PageError(AssertionError):
    """An exception in the page, with its console."""


class Browser:
    """A headless Chromium driven through the DevTools protocol on fds 3
    and 4 (--remote-debugging-pipe): commands are JSON texts ended by NUL."""

    def __init__(self, binary: str, profile: str, log) -> None:
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        def as_fds_3_and_4() -> None:
            a, b = os.dup(to_browser_r), os.dup(from_browser_w)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.proc = subprocess.Popen(
            [
                binary,
                "--headless=new",
                "--no-sandbox",
                "--enable-unsafe-webgpu",
                "--remote-debugging-pipe",
                "--window-size=1400,1050",
                "--no-first-run",
                "--no-default-browser-check",
                f"--user-data-dir={profile}",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            preexec_fn=as_fds_3_and_4,
            pass_fds=(3, 4),
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._next = 0
        self._replies: dict = {}
        self._lock = threading.Condition()
        self.console: list = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        buf = b""
        while True:
            chunk = os.read(self._from_browser, 1 << 16)
            if not chunk:
                with self._lock:
                    self._replies["closed"] = True
                    self._lock.notify_all()
                return
            buf += chunk
            while b"\0" in buf:
                raw, buf = buf.split(b"\0", 1)
                msg = json.loads(raw)
                with self._lock:
                    if "id" in msg:
                        self._replies[msg["id"]] = msg
                        self._lock.notify_all()
                    elif msg.get("method") == "Runtime.consoleAPICalled":
                        args = msg["params"]["args"]
                        self.console.append(" ".join(str(a.get("value", a.get("description"))) for a in args))
                    elif msg.get("method") == "Runtime.exceptionThrown":
                        self.console.append(json.dumps(msg["params"]["exceptionDetails"])[:2000])

    def send(self, method: str, params: dict | None = None, session: str | None = None, timeout: float = 60) -> dict:
        """Sends one command and waits up to ``timeout`` seconds for its result."""
        with self._lock:
            self._next += 1
            ident = self._next
        msg = {"id": ident, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._to_browser, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        with self._lock:
            while ident not in self._replies:
                left = deadline - time.monotonic()
                if left <= 0 or "closed" in self._replies:
                    raise AssertionError(f"no reply to {method} in {timeout} s; console:\n" + "\n".join(self.console[-20:]))
                self._lock.wait(left)
            reply = self._replies.pop(ident)
        if "error" in reply:
            raise AssertionError(f"{method}: {reply['error']}")
        return reply["result"]

    def close(self) -> None:
        try:
            self.send("Browser.close", timeout=10)
        except AssertionError:
            pass
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class Page:
    """One tab of the browser."""

    def __init__(self, browser: Browser, url: str) -> None:
        self.browser = browser
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self.send("Runtime.enable")
        self.send("Page.enable")
        self.send("Page.navigate", {"url": url})

    def send(self, method: str, params: dict | None = None, timeout: float = 60) -> dict:
        return self.browser.send(method, params, self.session, timeout)

    def eval(self, expression: str, timeout: float = 120):
        """The value of the JavaScript ``expression`` (promises awaited); an
        exception in the page fails the test with the page's console."""
        reply = self.send(
            "Runtime.evaluate",
            {"expression": expression, "awaitPromise": True, "returnByValue": True},
            timeout=timeout,
        )
        if "exceptionDetails" in reply:
            details = reply["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text")
            raise PageError(f"{text}\npage console:\n" + "\n".join(self.browser.console[-30:]))
        return reply["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 120, every: float = 0.2):
        """Polls ``expression`` until it is truthy; its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.eval(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"`{expression}` still false after {timeout} s; console:\n" + "\n".join(self.browser.console[-30:]))
            time.sleep(every)

    def screenshot(self) -> bytes:
        return base64.b64decode(self.send("Page.captureScreenshot", {"format": "png"})["data"])


def config_link(text: str) -> str:
    """The page's ``#config=`` fragment for ``text`` (base64url, no padding)."""
    return "#config=" + base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


class Files(http.server.SimpleHTTPRequestHandler):
    """Static files, quietly, with the types a module page needs."""

    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
        ".js": "text/javascript",
    }

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="session")
def server():
    """web/dist served on 127.0.0.1 (a free port); its base URL."""
    assert (DIST / "index.html").is_file() and (DIST / "mflda_web_bg.wasm").is_file(), (
        "web/dist is not built: run web/build.sh first"
    )
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Files, directory=str(DIST)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    """A headless Chromium (CHROMIUM, else the first of BROWSERS on PATH)."""
    binary = os.environ.get("CHROMIUM") or next(filter(None, map(shutil.which, BROWSERS)), None)
    assert binary, (
        "no Chromium found: install it (`apt-get install chromium` on Debian; .ci/run does) "
        "or set CHROMIUM to its path"
    )
    log = open(tmp_path_factory.mktemp("chromium") / "chromium.log", "wb")
    b = Browser(binary, tempfile.mkdtemp(prefix="mflda-chromium-"), log)
    yield b
    b.close()
    log.close()
