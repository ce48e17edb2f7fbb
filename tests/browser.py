"""A real Streamlit server, Debian's headless chromium and tesseract OCR, for the browser test and the benchmarks."""

from __future__ import annotations

import csv
import io
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
VIEWPORT = {"width": 1600, "height": 1000}


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
def streamlit_server(app: Path = ROOT / "app.py", env: dict | None = None, timeout: float = 90, app_args=(),
                     use_config: bool = False):
    """``streamlit run app.py [-- app_args]`` on a free 127.0.0.1 port; yields its URL and stops it afterwards.

    With ``use_config`` the address comes from .streamlit/config.toml alone (to check that it binds to localhost).
    """
    port = free_port()
    address = [] if use_config else ["--server.address", "127.0.0.1"]
    cmd = [sys.executable, "-m", "streamlit", "run", str(app), "--server.headless", "true",
           "--server.port", str(port), *address, "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none", *(["--", *map(str, app_args)] if app_args else [])]
    ARTIFACTS.mkdir(exist_ok=True)
    log_path = ARTIFACTS / f"streamlit-{port}.log"
    log = open(log_path, "w")
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
        if log_path.stat().st_size == 0 or "Traceback" not in log_path.read_text(errors="replace"):
            log_path.unlink(missing_ok=True)  # keep a server's log only when something went wrong


def _frame_where(page, test: str, arg, timeout_ms: int, what: str):
    """The first component iframe in which the JavaScript function ``test`` returns true for ``arg``."""
    page.wait_for_selector("iframe", timeout=timeout_ms)
    deadline = time.monotonic() + timeout_ms / 1000
    while time.monotonic() < deadline:
        for frame in page.frames:
            if frame is page.main_frame:
                continue
            try:
                if frame.evaluate(test, arg):
                    return frame
            except Exception:  # a frame being replaced while we look
                pass
        time.sleep(0.2)
    raise TimeoutError(f"no component iframe with {what} appeared")


def component_frame(page, selector: str, timeout_ms: int = 60_000):
    """The drawing component's iframe once ``selector`` is in it (``#chainmap`` or ``#mynetwork canvas``)."""
    return _frame_where(page, "s => !!document.querySelector(s)", selector, timeout_ms, selector)


def graph_frame(page, timeout_ms: int = 60_000, more_than: int = 0):
    """The component iframe that holds the vis-network canvas, once it is drawn with more than ``more_than`` nodes."""
    return _frame_where(page, "n => !!document.querySelector('#mynetwork canvas') && typeof network === 'object'"
                              " && network !== null && nodes.length > n", more_than, timeout_ms, "a graph canvas")


def show_view(page, label: str):
    """Click a view in the page's view selector (a segmented control), unless it is the view shown already: a click
    on the selected button of a segmented control deselects it, and the app then shows its default view."""
    button = page.locator('[data-testid="stButtonGroup"] button', has_text=label).first
    if button.get_attribute("data-testid") != "stBaseButton-segmented_controlActive":
        button.click()


# ------------------------------------------------------------------------------------------------------------- OCR
def tesseract() -> str | None:
    return shutil.which("tesseract")


def _prepared(png: Path, crop, zoom: int) -> bytes:
    """Grey, cropped, enlarged and thresholded: dark text stays, tinted backgrounds and thin coloured borders go."""
    from PIL import Image

    image = Image.open(png).convert("L")
    if crop:
        image = image.crop(crop)
    image = image.resize((image.width * zoom, image.height * zoom), Image.LANCZOS)
    image = image.point(lambda v: 0 if v < 160 else 255)
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def ocr_words(png: Path, languages: str = "eng", crop: tuple | None = None, zoom: int = 2) -> list[dict]:
    """Words tesseract reads in a screenshot: ``{"text", "x", "y", "w", "h", "line"}`` in screenshot pixels.

    The image is enlarged ``zoom`` times first (tesseract reads 13-14 px text far better at twice the size);
    ``crop`` is ``(left, top, right, bottom)`` in screenshot pixels.
    """
    left, top = (crop[0], crop[1]) if crop else (0, 0)
    out = subprocess.run(["tesseract", "stdin", "stdout", "-l", languages, "--psm", "11", "tsv"],
                         input=_prepared(png, crop, zoom),
                         capture_output=True, check=True).stdout.decode("utf-8", "replace")
    words = []
    for row in csv.DictReader(io.StringIO(out), delimiter="\t", quoting=csv.QUOTE_NONE):
        text = (row.get("text") or "").strip()
        if not text or float(row.get("conf") or -1) < 0:
            continue
        words.append({"text": text, "x": left + int(row["left"]) / zoom, "y": top + int(row["top"]) / zoom,
                      "w": int(row["width"]) / zoom, "h": int(row["height"]) / zoom,
                      "line": (int(row["block_num"]), int(row["par_num"]), int(row["line_num"]))})
    return words


def ocr_text(png: Path, languages: str = "eng", crop: tuple | None = None, psm: int = 3, zoom: int = 2) -> str:
    """The text tesseract reads in a screenshot, in reading order (page segmentation ``psm``)."""
    return subprocess.run(["tesseract", "stdin", "stdout", "-l", languages, "--psm", str(psm)],
                          input=_prepared(png, crop, zoom),
                          capture_output=True, check=True).stdout.decode("utf-8", "replace")


def _norm(text: str) -> str:
    # Letters and digits only, lower case, with OCR's usual confusions folded (I/l/1, O/0).
    out = "".join(ch for ch in text.lower() if ch.isalnum())
    return out.translate(str.maketrans({"l": "i", "1": "i", "0": "o"}))


def names_read(text: str, names) -> set[str]:
    """Which of ``names`` OCR read in ``text``: compared without spaces, punctuation or line breaks (a long name
    wraps inside its chip), with I/l/1 and O/0 taken as the same letter. Names shorter than 4 letters are skipped."""
    flat = _norm(text)
    return {name for name in names if len(_norm(name)) >= 4 and _norm(name) in flat}


def word_box(words: list[dict], word: str) -> dict | None:
    """The box of the first OCR word equal to ``word`` (case and punctuation ignored)."""
    return next((w for w in words if _norm(w["text"]) == _norm(word)), None)
