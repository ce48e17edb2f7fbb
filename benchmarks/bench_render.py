"""Rendering: our one-pass vis-network page against pyvis drawing the same nodes, edges and positions with physics
off (the fair peer: the same fixed picture through pyvis's own machinery), in Python and to the first picture in
headless chromium."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from common import Row, Timer, fmt_seconds

from bench_neo4j import synthetic_graph
from browser import CHROMIUM_ARGS, usable_chromium
from graph.layout import chain_lanes
from graph.render import to_pyvis_html, vis_data


def _graph(n: int):
    return synthetic_graph(n, 2 * n)


def pyvis_page(G, nodes) -> tuple[str, float]:
    """The peer: pyvis's Network.from_nx on the same nodes (label, title, colour, x, y) and edges, physics off and
    straight edges, so the browser draws the same fixed picture; returns the page and its seconds in Python."""
    import networkx as nx
    from pyvis.network import Network

    simple = nx.DiGraph()
    simple.add_nodes_from((d["id"], {k: d[k] for k in ("label", "title", "color", "x", "y")}) for d in nodes)
    simple.add_edges_from(G.edges())
    with Timer() as t:
        net = Network(cdn_resources="in_line", directed=True)
        net.from_nx(simple)
        net.toggle_physics(False)
        net.set_edge_smooth(False)
        html = net.generate_html()
    return html, t.seconds


def run(scale: dict) -> list[Row]:
    rows = []
    G = _graph(scale["render_nodes"])
    with Timer() as t_layout:
        pos = chain_lanes(G)
    with Timer() as t_lists:
        nodes, edges = vis_data(G, pos)
    with Timer() as t_page:
        to_pyvis_html(G, positions=pos)
    _, theirs = pyvis_page(G, nodes)
    rows.append(Row(f"render: our page for {G.number_of_nodes():,} nodes + {G.number_of_edges():,} edges (Python)",
                    f"{fmt_seconds(t_page.seconds)} (lists {fmt_seconds(t_lists.seconds)}; chain-lane layout "
                    f"{fmt_seconds(t_layout.seconds)} more)", "≤ 1 s", t_page.seconds <= 1,
                    peer=f"pyvis from_nx + generate_html, same nodes and positions, physics off: "
                         f"{fmt_seconds(theirs)}"))
    for n in scale["pyvis_nodes"]:
        H = G if n == G.number_of_nodes() else _graph(n)
        hpos = chain_lanes(H)
        with Timer() as ours:
            to_pyvis_html(H, positions=hpos)
        _, theirs = pyvis_page(H, vis_data(H, hpos)[0])
        rows.append(Row(f"render: page for {n:,} nodes + {H.number_of_edges():,} edges, fixed positions (Python)",
                        fmt_seconds(ours.seconds), "", None,
                        peer=f"pyvis from_nx + generate_html, physics off: {fmt_seconds(theirs)} "
                             f"(ours {theirs / ours.seconds:.1f}× faster)"))
    rows.extend(browser_rows(scale))
    return rows


def browser_rows(scale: dict) -> list[Row]:
    chromium = usable_chromium()
    if chromium is None:
        return [Row("browser: time to first picture", "skipped: no chromium or playwright here")]
    from playwright.sync_api import sync_playwright

    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
        for n in scale["browser_nodes"]:
            G = _graph(n)
            pos = chain_lanes(G)
            seconds = first_picture(browser, Path(tmp) / f"ours-{n}.html", to_pyvis_html(G, positions=pos),
                                    scale["browser_timeout"])
            peer, _ = pyvis_page(G, vis_data(G, pos)[0])
            theirs = first_picture(browser, Path(tmp) / f"pyvis-{n}.html", peer, scale["browser_timeout"])
            rows.append(Row(f"browser: ours, {n:,} nodes, fixed positions, physics off, to the first screenshot",
                            _shown(seconds, scale["browser_timeout"]),
                            "≤ 5 s" if n <= 2000 else "", None if n > 2000 else seconds is not None and seconds <= 5,
                            peer="pyvis, same nodes and positions, physics off: "
                                 + _shown(theirs, scale["browser_timeout"])))
        browser.close()
    return rows


def _shown(seconds, timeout) -> str:
    return f"not drawn within {timeout} s" if seconds is None else f"{seconds:.1f} s to first screenshot"


# vis-network draws once physics has settled (or at once with physics off); pyvis shows a loading bar until then.
_DRAWN = """() => typeof network === 'object' && network !== null && network.body.nodeIndices.length > 0
  && (!network.physics.options.enabled || network.physics.stabilized === true
      || (document.getElementById('loadingBar') && document.getElementById('loadingBar').style.display === 'none'))"""


def first_picture(browser, path: Path, html: str, timeout: float) -> float | None:
    """Seconds from opening the page to a screenshot of the drawn graph, or None after ``timeout``."""
    path.write_text(html, encoding="utf-8")
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    try:
        start = time.perf_counter()
        page.goto(path.as_uri(), wait_until="load", timeout=timeout * 1000)
        page.wait_for_function(_DRAWN, timeout=max(1, timeout - (time.perf_counter() - start)) * 1000, polling=100)
        page.screenshot(path=str(path.with_suffix(".png")))
        return time.perf_counter() - start
    except Exception as exc:  # playwright's TimeoutError
        if "Timeout" in type(exc).__name__ or "Timeout" in str(exc):
            return None
        raise
    finally:
        page.close()
