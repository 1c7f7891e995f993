"""The explorer's tests run its page (web/dist/, built by web/build.sh) in a
headless Chromium on its WebGPU adapter, driven through the DevTools
protocol over a pipe (browser.py): the page is served on 127.0.0.1 by this
process, and nothing else is reached.

A missing build, browser or adapter fails the tests with what to do; none
of them is skipped."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import tempfile
import threading

import pytest

from browser import ROOT, Browser

DIST = ROOT / "web" / "dist"
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


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
