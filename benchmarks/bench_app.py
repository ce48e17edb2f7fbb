"""The explorer at scale, whole sessions as a person has them: `streamlit run app.py -- --roster <N firms>` in headless
chromium.

Every server is fresh. A warm-up session first opens another region (``?region=Shanghai``), so the graph is built but
nothing of the default view (coverage of the default region, its chain map) is cached; then:

- server side (benchmarks/app_sessions.py, one fresh server per reading): the peer is one session alone on a real
  ``streamlit run`` server, timed from the run request its websocket sends to the server's end of the run; then ten
  sessions opened at once on another fresh server, each timed the same way. The views, layouts and drawings are
  cached once per server (``st.cache_resource`` keyed on the graph and the view state), so the ten share one
  computation; target: the slowest within 2x the peer. Widget changes in one session (region, network view, stage
  filter, search, language, size, layout, the cap's mode, views; AppTest script runs): time of the rerun; target
  1 s each;
- in chromium (information): one session from opening the page to its chain map drawn, and the same widget changes
  from the click to the redrawn drawing (the component's ``data-key`` changes). Ten chromium pages at once on a
  2-core machine measure the browser, not the server, so the crowd is measured server side.
"""

from __future__ import annotations

import time

from common import Row, synthetic_inputs

from browser import CHROMIUM_ARGS, VIEWPORT, show_view, streamlit_server, usable_chromium

SESSIONS = 10
WARM_REGION = ("Shanghai", "shanghai")  # the label in the URL, the id in the drawing's key


def _drawn_key(page) -> str | None:
    for frame in page.frames:
        if frame is page.main_frame:
            continue
        try:
            key = frame.evaluate("() => (document.querySelector('#chainmap .chip, #mynetwork canvas') "
                                 "&& document.body.dataset.key) || null")
        except Exception:  # a frame being replaced
            continue
        if key:
            return key
    return None


def _wait_drawn(page, timeout_s: float, not_key: str | None = None, must_contain: str = "") -> tuple[float, str]:
    start = time.perf_counter()
    while time.perf_counter() - start < timeout_s:
        key = _drawn_key(page)
        if key and key != not_key and must_contain in key:
            return time.perf_counter() - start, key
        page.wait_for_timeout(20)  # not time.sleep: Playwright's sync API only sees new frames while it waits
    raise TimeoutError(f"no drawing within {timeout_s} s")


def _open(browser, url: str):
    context = browser.new_context(viewport=VIEWPORT)
    return context, context.new_page()


def _warm_up(browser, url: str, timeout_s: float):
    """A session on another region: builds the graph, leaves the default region's views uncomputed."""
    context, page = _open(browser, url)
    page.goto(f"{url}/?region={WARM_REGION[0]}", wait_until="commit")
    _wait_drawn(page, timeout_s, must_contain=f":{WARM_REGION[1]}:")
    context.close()


def _sessions_at_once(browser, url: str, n: int, timeout_s: float) -> list[float]:
    pages, starts = [], []
    for _ in range(n):
        context, page = _open(browser, url)
        pages.append((context, page))
    for _, page in pages:
        starts.append(time.perf_counter())
        page.goto(url, wait_until="commit")
    done = [None] * n
    deadline = time.perf_counter() + timeout_s
    while None in done and time.perf_counter() < deadline:
        for i, (_, page) in enumerate(pages):
            if done[i] is None and _drawn_key(page):
                done[i] = time.perf_counter() - starts[i]
        pages[0][1].wait_for_timeout(20)
    for context, _ in pages:
        context.close()
    if None in done:
        raise TimeoutError(f"{done.count(None)} of {n} sessions drew nothing within {timeout_s} s")
    return done


def _widget_changes(browser, url: str, firm: str) -> list[tuple[str, float]]:
    """Seconds from each change to the redrawn drawing, in one session (after its first chain map)."""
    context, page = _open(browser, url)
    out = []
    try:
        page.goto(url, wait_until="commit")
        _, key = _wait_drawn(page, 120)

        def timed(label, action, contains=""):
            nonlocal key
            start = time.perf_counter()
            action()
            _, new = _wait_drawn(page, 120, not_key=key, must_contain=contains)
            out.append((label, time.perf_counter() - start))
            key = new

        def pick_region():
            page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()
            page.get_by_role("option", name="Pudong New Area", exact=True).click()

        timed("region: Pudong New Area", pick_region, ":pudong:")
        timed("view: network", lambda: show_view(page, "Network"))

        def upstream():
            page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').first.click()
            page.get_by_role("option").first.click()
            page.keyboard.press("Escape")

        timed("filter: upstream stage", upstream)

        def search():
            page.get_by_role("textbox", name="Entity name in any language").fill(firm)
            page.keyboard.press("Enter")

        timed(f"search and centre {firm!r}", search)
        timed("language: 中文", lambda: page.get_by_text("中文", exact=True).click())
    finally:
        context.close()
    return out


def _first_roster_name(roster) -> str:
    import csv

    with open(roster, encoding="utf-8") as fh:
        return next(csv.DictReader(fh))["name"]


def _server_sessions(roster, *args) -> dict:
    """benchmarks/app_sessions.py in a fresh process (its own server and caches, as a freshly started server)."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parent / "app_sessions.py"
    out = subprocess.run([sys.executable, str(script), str(roster), *args], capture_output=True, text=True,
                         timeout=3600)
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "app_sessions failed")
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(scale: dict) -> list[Row]:
    roster, _ = synthetic_inputs(scale["app_firms"], 0, scale["doc_bytes"])
    n = scale["app_firms"]
    # Server side, one fresh process per reading: one session alone, ten at once, one session's widget changes.
    alone = _server_sessions(roster, "--sessions", "1")
    crowd = _server_sessions(roster, "--sessions", str(SESSIONS))
    changes = _server_sessions(roster, "--changes")
    peer, times = alone["sessions"][0], crowd["sessions"]
    if peer is None or None in times or len(times) != SESSIONS:
        raise RuntimeError(f"a session did not finish: alone {alone['sessions']}, at once {times}")
    ratio = max(times) / peer
    rows = [
        Row(f"app: one session alone, {n:,}-firm roster, server launch done, run request to the end of the page's "
            "run (peer; graph ready, default view not cached)", f"{peer:.2f} s"),
        Row(f"app: {SESSIONS} sessions opened at once, {n:,}-firm roster, each run request to the end of its run",
            f"slowest {max(times):.2f} s, median {sorted(times)[len(times) // 2]:.2f} s; {ratio:.1f}x the peer",
            "≤ 2x one session alone", ratio <= 2, peer=f"one session alone: {peer:.2f} s"),
        Row(f"app: warm-up session on another region (reads or builds the {n:,}-firm graph)",
            f"{alone['warm_up']:.1f} s"),
    ]
    for label, seconds, cpu in changes["changes"]:
        rows.append(Row(f"app: {label}, {n:,}-firm roster, change to the end of the rerun (server)",
                        f"{seconds:.2f} s (CPU {cpu:.2f} s)", "≤ 1 s", seconds <= 1))
    if not scale.get("app_browser", True):
        rows.append(Row("app: in chromium", "left out at this scale (full scale only)"))
        return rows
    chromium = usable_chromium()
    if chromium is None:
        rows.append(Row("app: in chromium", "skipped: no chromium or playwright here"))
        return rows
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p, streamlit_server(app_args=["--roster", roster], timeout=120) as url:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
        _warm_up(browser, url, 1200)
        seen = _sessions_at_once(browser, url, 1, 600)[0]
        changes = _widget_changes(browser, url, _first_roster_name(roster))
        browser.close()
    rows.append(Row(f"app: one session in chromium, {n:,}-firm roster, open to chain map drawn (view not cached)",
                    f"{seen:.1f} s"))
    for label, seconds in changes:
        rows.append(Row(f"app: {label} in chromium, {n:,}-firm roster, change to redrawn drawing", f"{seconds:.2f} s"))
    return rows
