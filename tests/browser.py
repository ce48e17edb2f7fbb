"""A real Streamlit server and Debian's headless chromium, for the browser test and the benchmarks."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from bolt_server import free_port

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
# Chromium's own background traffic (updates, safe browsing, sync) is not the page's; switch it off.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-default-apps",
                 "--disable-features=Translate,OptimizationHints,MediaRouter"]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]"}


def find_chromium() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser")):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


def usable_chromium() -> str | None:
    """The chromium to drive, when both chromium and Playwright are installed; else None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return None
    return find_chromium()


def is_local(url: str) -> bool:
    """True for URLs that stay on this machine (localhost, inline data, blobs, srcdoc frames)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about", "chrome-error"):
        return True
    return parts.hostname in {h.strip("[]") for h in LOCAL_HOSTS}


@contextmanager
def streamlit_server(app: Path = ROOT / "app.py", env: dict | None = None, timeout: float = 90, app_args=()):
    """``streamlit run app.py [-- app_args]`` on a free 127.0.0.1 port; yields its URL and stops it afterwards."""
    port = free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", str(app), "--server.headless", "true",
           "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none", *(["--", *map(str, app_args)] if app_args else [])]
    ARTIFACTS.mkdir(exist_ok=True)
    log = open(ARTIFACTS / f"streamlit-{port}.log", "w")
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with {proc.returncode}; see {log.name}")
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not answer on {url} within {timeout} s; see {log.name}")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def graph_frame(page, timeout_ms: int = 60_000, more_than: int = 0):
    """The component iframe that holds the vis-network canvas, once it is drawn with more than ``more_than`` nodes."""
    page.wait_for_selector("iframe", timeout=timeout_ms)
    deadline = time.monotonic() + timeout_ms / 1000
    while time.monotonic() < deadline:
        for frame in page.frames:
            if frame is page.main_frame:
                continue
            try:
                if frame.evaluate("n => !!document.querySelector('#mynetwork canvas') && typeof network === 'object'"
                                  " && network !== null && nodes.length > n", more_than):
                    return frame
            except Exception:  # a frame being replaced while we look
                pass
        time.sleep(0.2)
    raise TimeoutError("no graph canvas appeared in a component iframe")
