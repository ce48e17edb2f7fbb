"""The explorer restarted on the same inputs: whole process, from ``streamlit run app.py -- --roster <N rows>`` to the
first drawing in headless chromium, with the built graph served from the on-disk cache (graph/cache.py).

Per roster size (realistic rows, benchmarks/synthetic.py), with a fresh cache folder: a first start, which builds the
graph and writes the cache (at the largest size the cache is written by a separate build instead, which is
faster than the first visitor's session), then a restart: a new server process whose first visitor gets the graph
from the cache. Both are timed from launching the server to the chain map (the first view) drawn in the page.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, Row, fmt_seconds, synthetic_inputs

from browser import CHROMIUM_ARGS, VIEWPORT, component_frame, streamlit_server, usable_chromium

FIRST_DRAWING = "#chainmap .chip, #mynetwork canvas"


def _start_to_drawing(browser, env: dict, roster: Path, timeout_s: float) -> float:
    """Seconds from launching a new server to the first drawing in a new page."""
    start = time.perf_counter()
    with streamlit_server(env=env, app_args=["--roster", roster], timeout=timeout_s) as url:
        context = browser.new_context(viewport=VIEWPORT)
        page = context.new_page()
        try:
            page.goto(url, wait_until="commit")
            component_frame(page, FIRST_DRAWING, timeout_ms=int(timeout_s * 1000))
            return time.perf_counter() - start
        finally:
            context.close()


def _prebuild(env: dict, roster: Path) -> float:
    """Write the cache entry the app will look for with a plain build in another process (whole process timed)."""
    code = ("import sys; sys.path.insert(0, '.'); from graph import build_graph; "
            f"build_graph(rosters=[{str(roster)!r}], cache=True)")
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def run(scale: dict) -> list[Row]:
    chromium = usable_chromium()
    if chromium is None:
        return [Row("restart: first drawing from the cache", "skipped: no chromium or playwright here")]
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as p, tempfile.TemporaryDirectory() as tmp:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
        try:
            for n, target, prebuild in scale["restart_sizes"]:
                roster, _ = synthetic_inputs(n, 0, scale["doc_bytes"], realistic=True)
                cache = Path(tmp) / f"cache-{n}"
                env = {"ECOSYSTEM_GRAPH_CACHE": str(cache),
                       "GRAPH_MAX_INPUT_MB": str(max(50, 2 * roster.stat().st_size / 2 ** 20))}
                timeout = 120 + n / 1000
                load = os.getloadavg()[0]
                if prebuild:
                    first, how = _prebuild(env, roster), "a separate build writes the cache (whole process)"
                else:
                    first, how = _start_to_drawing(browser, env, roster, timeout), "first start: builds the graph " \
                                                                                    "and writes the cache"
                entries = list(cache.glob("graph-*.pickle"))
                again = _start_to_drawing(browser, env, roster, timeout)
                after = list(cache.glob("graph-*.pickle"))
                hit = len(after) == len(entries) == 1
                miss = "" if hit else (f" (cache MISSED: {len(entries)} entries after the first start, {len(after)} "
                                       "after the restart; a second entry means graph/ or loaders/ changed between "
                                       "the two starts)")
                rows.append(Row(f"restart: app with {n:,} realistic roster rows, server launch to the first drawing, "
                                "graph from the cache", fmt_seconds(again) + miss,
                                f"≤ {target} s", hit and again <= target,
                                peer=f"{how}: {fmt_seconds(first)}; load average {load:.1f}"))
        finally:
            browser.close()
    return rows
