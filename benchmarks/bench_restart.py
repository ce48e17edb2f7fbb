"""The explorer restarted on the same inputs: whole process, from ``streamlit run app.py -- --roster <N rows>`` to the
first drawing in headless chromium, with the built graph served from the on-disk cache (graph/cache.py).

Per roster size (realistic rows, benchmarks/synthetic.py): a first start, which builds the graph and writes the cache
in a fresh cache folder, then a restart: a new server process whose first visitor gets the graph from the cache.
Both are timed from launching the server to the chain map (the first view) drawn in the page; beside the wall clock,
the server's own CPU seconds at that moment (other work on a shared machine inflates the first, not the second). On a
restart that chain map is the first page kept beside the cache entry (same key: same inputs and code), drawn while
the graph itself is read in the background (graph.cache.GraphLoad); the row also says when the whole page was there
(the graph read and the page run again on it: the sidebar's network filters shown). At the largest size
the explorer opens the build benchmark's inputs (the roster and its documents) and its cache entry
(benchmarks/.work/graph-cache/, written by bench_build.py; built here in a separate process if it is not there),
instead of building a million rows inside a visitor's session.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, Row, fmt_seconds, scratch, synthetic_inputs

from browser import CHROMIUM_ARGS, VIEWPORT, component_frame, streamlit_server, usable_chromium

FIRST_DRAWING = "#chainmap .chip, #mynetwork canvas"


def _server_cpu(port: str) -> float | None:
    """CPU seconds so far of the server listening on ``port`` (found by its command line in /proc; None elsewhere).

    Wall-clock seconds on a machine shared with other work measure the others too; the server's own CPU seconds
    from its launch to the first drawing do not.
    """
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().split(b"\0")
            if b"streamlit" in b" ".join(args) and port.encode() in args:
                fields = (cmdline.parent / "stat").read_text().rsplit(")", 1)[1].split()
                return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
        except OSError:  # a process that ended meanwhile
            continue
    return None


WHOLE_PAGE = '[data-testid="stSidebar"] [data-testid="stMultiSelect"]'  # the network filters: need the whole graph


def _start_to_drawing(browser, env: dict, app_args: list, timeout_s: float, whole: bool = False):
    """Seconds from launching a new server to the first drawing in a new page, and the server's CPU seconds then
    (with ``whole``, also the seconds until the whole page is there; else None)."""
    start = time.perf_counter()
    with streamlit_server(env=env, app_args=app_args, timeout=timeout_s) as url:
        context = browser.new_context(viewport=VIEWPORT)
        page = context.new_page()
        try:
            page.goto(url, wait_until="commit")
            component_frame(page, FIRST_DRAWING, timeout_ms=int(timeout_s * 1000))
            drawn, cpu = time.perf_counter() - start, _server_cpu(url.rsplit(":", 1)[1])
            if not whole:
                return drawn, cpu
            page.wait_for_selector(WHOLE_PAGE, timeout=int(timeout_s * 1000))
            return drawn, cpu, time.perf_counter() - start
        finally:
            context.close()


def _cpu_note(cpu: float | None) -> str:
    return f" (server CPU {cpu:.2f} s)" if cpu is not None else ""


def _prebuild(env: dict, roster: str, docs: list[str]) -> float:
    """Write the cache entry the app will look for with a plain build in another process (whole process timed)."""
    code = ("import sys; sys.path.insert(0, '.'); from graph import build_graph; "
            f"build_graph(docs={docs!r}, rosters=[{roster!r}], cache=True)")
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**os.environ, **env}, check=True, capture_output=True)
    return time.perf_counter() - start


def _key(docs: list[str], roster: str, env: dict) -> str:
    """The cache key the explorer will compute, under the same input size limit."""
    from graph.cache import input_key
    from loaders.clean import input_limit

    with input_limit(float(env["GRAPH_MAX_INPUT_MB"])):
        return input_key(docs, [roster])


def run(scale: dict) -> list[Row]:
    chromium = usable_chromium()
    if chromium is None:
        return [Row("restart: first drawing from the cache", "skipped: no chromium or playwright here")]
    from playwright.sync_api import sync_playwright

    from graph.cache import _entry, _views_file

    rows = []
    with sync_playwright() as p, tempfile.TemporaryDirectory() as tmp:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
        try:
            for n, target, prebuild in scale["restart_sizes"]:
                roster_path, doc_paths = synthetic_inputs(n, scale["docs"] if prebuild else 0, scale["doc_bytes"],
                                                          realistic=True)
                roster, docs = str(roster_path), [str(d) for d in doc_paths]
                app_args = ["--roster", roster] + [a for d in docs for a in ("--doc", d)]
                cache = scratch("graph-cache") if prebuild else Path(tmp) / f"cache-{n}"
                env = {"ECOSYSTEM_GRAPH_CACHE": str(cache),
                       "GRAPH_MAX_INPUT_MB": str(max(50, 2 * roster_path.stat().st_size / 2 ** 20))}
                timeout = 120 + n / 1000
                load = os.getloadavg()[0]
                if not prebuild:
                    first, first_cpu = _start_to_drawing(browser, env, app_args, timeout)
                    how = "first start: builds the graph and writes the cache: " + fmt_seconds(first) + \
                        _cpu_note(first_cpu)
                elif _entry(cache, _key(docs, roster, env)).exists():
                    how = "cache entry written by the build benchmark"
                else:
                    how = "a separate build writes the cache (whole process): " + fmt_seconds(
                        _prebuild(env, roster, docs))
                if prebuild and not _views_file(cache, _key(docs, roster, env)).exists():
                    # A restart follows a start: the first start on the build's entry computes the opening view and
                    # keeps it beside the entry (graph.cache.derived), as the explorer's first start does.
                    first, first_cpu = _start_to_drawing(browser, env, app_args, timeout)
                    how += "; the explorer's first start on it: " + fmt_seconds(first) + _cpu_note(first_cpu)
                entries = list(cache.glob("graph-*.pickle"))
                again, again_cpu, whole = _start_to_drawing(browser, env, app_args, timeout, whole=True)
                after = list(cache.glob("graph-*.pickle"))
                hit = len(after) == len(entries) >= 1
                miss = "" if hit else (f" (cache MISSED: {len(entries)} entries before the restart, {len(after)} "
                                       "after; a new entry means graph/, loaders/ or data/ changed in between)")
                what = f"{n:,} realistic roster rows" + (f" + {len(docs):,} documents" if docs else "")
                rows.append(Row(f"restart: app with {what}, server launch to the first drawing (the first page kept "
                                "with the cache entry, drawn while the graph is read from the cache)",
                                fmt_seconds(again) + _cpu_note(again_cpu) + miss +
                                f"; whole page (graph read, page run on it) at {fmt_seconds(whole)}", f"≤ {target} s",
                                hit and again <= target,
                                peer=f"{how}; load average {load:.1f}"))
        finally:
            browser.close()
    return rows
