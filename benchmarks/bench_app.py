"""The explorer at scale: `streamlit run app.py -- --roster <N firms>` in headless chromium, time to the first graph."""

from __future__ import annotations

import time

from common import Row, synthetic_inputs

from browser import CHROMIUM_ARGS, graph_frame, streamlit_server, usable_chromium


def _time_to_graph(browser, url: str, timeout_s: float) -> tuple[float, int, str]:
    page = browser.new_page(viewport={"width": 1500, "height": 1000})
    try:
        start = time.perf_counter()
        page.goto(url, wait_until="domcontentloaded")
        frame = graph_frame(page, timeout_ms=int(timeout_s * 1000))
        seconds = time.perf_counter() - start
        drawn = frame.evaluate("() => nodes.length")
        folded = page.get_by_text("more than the display cap").first.inner_text() if page.get_by_text(
            "more than the display cap").count() else ""
        return seconds, drawn, folded
    finally:
        page.close()


def _first_roster_name(roster) -> str:
    import csv

    with open(roster, encoding="utf-8") as fh:
        return next(csv.DictReader(fh))["name"]


def _search_and_focus(browser, url: str, name: str) -> tuple[float, int]:
    """Seconds from typing a name in the search box to the redrawn ego network (after the page has its graph)."""
    page = browser.new_page(viewport={"width": 1500, "height": 1000})
    try:
        page.goto(url, wait_until="domcontentloaded")
        graph_frame(page, timeout_ms=60_000)
        start = time.perf_counter()
        page.get_by_role("textbox", name="Entity name in any language").fill(name)
        page.keyboard.press("Enter")
        page.get_by_text("Draw only the first match and its neighbours").click()
        page.get_by_text("and its neighbours:").first.wait_for(timeout=60_000)
        frame = graph_frame(page, timeout_ms=60_000)
        return time.perf_counter() - start, frame.evaluate("() => nodes.length")
    finally:
        page.close()


def run(scale: dict) -> list[Row]:
    chromium = usable_chromium()
    if chromium is None:
        return [Row("app: first graph with a large roster", "skipped: no chromium or playwright here")]
    roster, _ = synthetic_inputs(scale["app_firms"], 0, scale["doc_bytes"])
    n = scale["app_firms"]
    from playwright.sync_api import sync_playwright

    with streamlit_server(app_args=["--roster", roster], timeout=120) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
        cold, drawn, folded = _time_to_graph(browser, url, 300)
        warm, _, _ = _time_to_graph(browser, url, 60)
        firm = _first_roster_name(roster)
        ego_seconds, ego_nodes = _search_and_focus(browser, url, firm)
        browser.close()
    return [
        Row(f"app: first graph, {n:,}-firm roster, new session (graph built)",
            f"{warm:.1f} s; {drawn:,} nodes drawn", "≤ 5 s", warm <= 5),
        Row(f"app: first graph, {n:,}-firm roster, first session after start (builds the graph)",
            f"{cold:.1f} s"),
        Row(f"app: search {firm!r} and draw its neighbourhood, {n:,}-firm roster",
            f"{ego_seconds:.1f} s; {ego_nodes} nodes drawn"),
        Row("app: what the page says it folded", (folded[:150] + "…") if len(folded) > 150 else folded or "nothing"),
    ]
