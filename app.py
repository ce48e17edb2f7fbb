"""Ecosystem Graph Explorer: the Streamlit page. It only renders; every computation is a call into graph/.

Views: the chain map (first), the network, coverage, claims and export. A click on a firm, a segment, a node, a
coverage bar or a table row selects it (``st.session_state["selected"]``) and the inspector beside the drawing opens
it; a search match picked in the sidebar is selected and centred. Everything computed for a graph and a view state is
cached once per server (``st.cache_resource``), so sessions share it.
"""

import hashlib
import json
import sys
import threading
from functools import partial
from pathlib import Path

import streamlit as st
import streamlit.components.v1 as components

from graph import build_graph
from graph.cache import GraphLoad, derived
from graph.chainmap import chain_map, segment_members
from graph.cli import app_inputs
from graph.coverage import chain_coverage, coverage_diff
from graph.discovery import CERTAIN_CONFIDENCE, confirmable_types, discovered_entities, roster_csv, roster_rows
from graph.display import sentence_text
from graph.export import csv_bytes
from graph.io import graph_bytes
from graph.model import catalogue_of
from graph.render import (LANGUAGE_CODES, LANGUAGES, WEB_DIR, highlight_spans, network_spec, node_label,
                          relation_name, standalone_page, ui)
from graph.render import markdown_text as md
from graph.report import coverage_verdict, gaps_csv, gap_rows, roster_what_if, upload_what_if
from graph.view import (DEFAULT_CAP, cap_view, claim_table, filter_view, graph_name_index, node_card,
                        graph_summary, opening_view, prepare_views, region_choices, search_nodes)
from loaders.catalogue import load_catalogue
from loaders.errors import InputError
from loaders.rosters import parse_roster_bytes, unique_uploads
from loaders.text import decode_bytes, document_from_text

st.set_page_config(page_title="Ecosystem Graph Explorer", layout="wide")
# Less empty space above the title, so the chain map starts on the first screen.
st.html("<style>[data-testid='stMainBlockContainer'] {padding-top: 2.2rem; padding-bottom: 2rem;}"
        " h1 {padding-top: 0.2rem !important; padding-bottom: 0.4rem !important;}</style>")
# The drawing: a local component folder (index.html + vis-network from pyvis); nothing loads from a CDN.
explorer = components.declare_component("explorer", path=str(WEB_DIR))

VIEWS = ("chain", "network", "coverage", "claims", "discovered", "export")
# What the network does above the display cap: (cap_view mode, fold_by, rank_by; None ranks as nodes are sized).
ABOVE_CAP = {"fold_segment": ("aggregate", "segment", None), "fold_region": ("aggregate", "region", None),
             "fold_type": ("aggregate", "type", None), "top_degree": ("top", "segment", "degree"),
             "top_mentions": ("top", "segment", "mentions")}
PER_SEGMENT = 8  # firms named per chain-map box; the rest are counted


# ------------------------------------------------------------------------------------------- data (cached, read-only)
def build_with_progress(**inputs):
    """build_graph with a progress bar per document (shown while it runs, then removed)."""
    bar = st.progress(0.0, text="Reading the rosters and the catalogue…")
    G = build_graph(**inputs, progress=lambda done, total: bar.progress(done / total, text=f"Document {done} of {total}"))
    bar.empty()
    return G


@st.cache_resource(show_spinner=False)
def start_load(docs: tuple = (), rosters: tuple = (), bundled: bool = True):
    """The start graph, once per server: read from the on-disk cache (graph/cache.py) or built, in a background
    thread; what was kept beside its cache entry (the first page) can be drawn before it is in memory."""
    return GraphLoad(docs=list(docs), rosters=list(rosters), bundled=bundled, start=False)


def start_graph(load, why=""):
    """The start graph of ``load``, with a progress bar while it is read or built (``why``: what waits for it)."""
    if not load.done():
        bar = st.progress(0.0, text=why)

        def say():
            step = T("loading_graph" if load.reading else "building_graph", pct=f"{load.progress:.0%}")
            bar.progress(min(load.progress, 1.0), text=f"{why} {step}" if why else step)

        while not load.wait(0.25):
            say()  # also where a widget change during the wait stops this run and starts the next
        bar.empty()
    return load.result()


def read_uploads(doc_files, roster_files):
    """Uploaded files as documents and roster rows, with errors (a bad file; the rest still load) and warnings (what
    was cleaned at the door, a file uploaded twice). Returns ``(docs, rosters, kept, errors, warnings)``; ``kept`` are
    the ``(name, bytes)`` read, so the same content twice counts once."""
    docs, rosters, kept, errors, warnings = [], [], [], [], []
    for files, kind in ((doc_files, "doc"), (roster_files, "roster")):
        unique, repeats = unique_uploads([(f.name, f.getvalue()) for f in files or []])
        warnings += repeats
        for name, data in unique:
            try:
                if kind == "doc":
                    text, _ = decode_bytes(data, name)
                    item = document_from_text(text, Path(name).stem, title=name, source="upload")
                else:
                    item = parse_roster_bytes(data, load_catalogue(), name)
            except InputError as exc:
                errors.append(str(exc))
                continue
            except Exception as exc:  # a bad upload must never end the page with a traceback
                errors.append(f"{name}: could not be read ({type(exc).__name__}: {exc}); check the file")
                continue
            (docs if kind == "doc" else rosters).append(item)
            kept.append((name, data))
            warnings += [str(n) for n in item.notes]
    return docs, rosters, kept, errors, warnings


@st.cache_resource(show_spinner=False, max_entries=4)
def graph_with_uploads(key, _docs, _rosters, start):
    return build_with_progress(docs=[*start["docs"], *_docs], rosters=[*start["rosters"], *_rosters],
                               bundled=start["bundled"])


# Everything below is keyed on the graph's key (its inputs) and the view state, and shared by every session.
# What the first page of a restart needs (the default region's coverage and chain map, the regions, the header's
# figures) is kept beside the graph's cache entry (graph.cache.derived), so a restart reads it instead of computing it.
OPENING = f"opening_view:{PER_SEGMENT}"  # the name the first page is kept under beside the cache entry


@st.cache_resource(show_spinner=False, max_entries=16)
def opening(_G, key):
    """The first page's data (regions, default region, its chain map, the header's figures), once per graph."""
    return derived(_G, OPENING, lambda: opening_view(_G, PER_SEGMENT, card=default_card(_G, key),
                                                     choices=regions_of(_G, key), summary=summary_of(_G, key)))


@st.cache_resource(show_spinner=False, max_entries=16)
def regions_of(_G, key):
    return derived(_G, "region_choices", lambda: region_choices(_G))


@st.cache_resource(show_spinner=False, max_entries=16)
def summary_of(_G, key):
    """What the page header and sliders need from the whole graph, computed once per graph."""
    return derived(_G, "graph_summary", lambda: graph_summary(_G))


@st.cache_resource(show_spinner=False, max_entries=16)
def default_card(_G, key):
    region = regions_of(_G, key)["default"]
    return derived(_G, f"chain_coverage:{region}", lambda: chain_coverage(_G, region))


# Once the indexes made once per graph are there (graph.coverage.segment_index, graph.chainmap.known_rank; prepared
# in the background after the first page, graph.view.prepare_views), a region's scorecard and map look its firms'
# segments and ranks up instead of walking each firm's edges (same result). The chain map of a region needs only its
# firms per segment, so the whole scorecard is computed when a view shows it.
@st.cache_resource(show_spinner=False, max_entries=64)
def coverage_card(_G, key, region):
    if region == regions_of(_G, key)["default"]:
        return default_card(_G, key)
    return chain_coverage(_G, region)


@st.cache_resource(show_spinner=False, max_entries=64)
def region_map(_G, key, region):
    if region == regions_of(_G, key)["default"]:
        return opening(_G, key)["chain_map"]
    return chain_map(_G, region, PER_SEGMENT)


@st.cache_resource(show_spinner=False, max_entries=64)
def chain_spec(_m, key, region, language):
    """The chain map ``_m`` of a region in one language, ready for the component (all words from data/ui.yaml)."""
    m = _m
    lang = LANGUAGE_CODES[language]
    stages = []
    for stage in m["stages"]:
        segments = []
        for s in stage["segments"]:
            count = ui("firm_count_one", language) if s["count"] == 1 else ui("firms_count", language, n=f"{s['count']:,}")
            segments.append({"id": s["id"], "name": s["names"][lang], "status": s["status"], "count_label": count,
                             "empty_label": ui("no_firm", language), "more": s["more"],
                             "more_label": ui("more", language, n=f"{s['more']:,}"),
                             "firms": [{"id": f["id"], "label": f["names"][lang], "origin": f["origin"],
                                        "hint": f"{f['names'][lang]} · {ui('origin_' + f['origin'], language)}"}
                                       for f in s["firms"]]})
        stages.append({"id": stage["id"], "name": stage["names"][lang], "segments": segments})
    present = {f["origin"] for st_ in m["stages"] for s in st_["segments"] for f in s["firms"]}
    legend = [{"kind": "box", "color": c, "border": b, "text": ui(k, language)} for k, c, b, origin in (
        ("legend_catalogue", "#e9f0f9", "1px solid #4e79a7", "catalogue"),
        ("legend_roster", "#ebf6ea", "1px solid #3d8b37", "roster"),
        ("legend_discovered", "#f6effa", "1px dashed #8e5ea2", "discovered"),
        ("legend_uncovered", "#fdeceb", "1px solid #d62728", None),
        ("legend_single", "#fff4dc", "1px solid #e09b16", None)) if origin is None or origin in present]
    title = ui("chain_title", language, region=m["region_names"][lang], covered=m["segments_covered"],
               total=m["segments_total"])
    return {"mode": "chain", "key": f"chain:{key}:{region}:{language}", "title": title, "stages": stages,
            "legend": legend}


@st.cache_resource(show_spinner="Choosing what to draw…", max_entries=32)
def network_nodes(_G, key, filters, cap, ego, above_cap, size_by):
    """The filtered, capped subgraph for one view state (any language)."""
    view = filter_view(_G, **dict(filters))
    if ego is not None and ego in _G and ego not in view:
        view = _G.subgraph([*view.nodes, ego])
    mode, fold_by, rank_by = ABOVE_CAP[above_cap]
    return cap_view(view, cap, "ego" if ego in view else mode, ego, fold_by=fold_by, rank_by=rank_by or size_by)


@st.cache_resource(show_spinner="Laying out the graph…", max_entries=32)
def network_view(_G, key, filters, layout, language, size_by, physics, cap, ego, above_cap):
    """The network drawing for one view state, in one language (the selection is added per session)."""
    view, note = network_nodes(_G, key, filters, cap, ego, above_cap, size_by)
    if view.number_of_nodes() == 0:
        return None, note
    spec = network_spec(view, layout, language, size_by, physics, height=620,
                        key=hashlib.sha1(repr((key, filters, layout, language, size_by, physics, cap, ego,
                                                above_cap)).encode()).hexdigest())
    return spec, note


@st.cache_resource(show_spinner=False, max_entries=4)
def views_prepared(_G, key):
    """What region changes, large network views and searches reuse (graph.view.prepare_views), computed once per graph
    in the background after the first page is sent."""
    thread = threading.Thread(target=prepare_views, args=(_G,), name="prepare-views", daemon=True)
    thread.start()
    return thread


@st.cache_resource(show_spinner=False, max_entries=4)
def search_index(_G, key):
    return graph_name_index(_G)  # shared with the background preparation (prepare_views)


@st.cache_resource(show_spinner=False, max_entries=256)
def matches(_G, key, query):
    return search_nodes(_G, query, index=search_index(_G, key))


@st.cache_resource(show_spinner=False, max_entries=8)
def claims_of(_G, key):
    return claim_table(_G)


@st.cache_resource(show_spinner=False, max_entries=8)
def review_rows(_G, key):
    """The discovered entities, most confident first, each with the text of the first sentence it was found in."""
    return [{**r, "first_sentence": sentence_text(_G, r["evidence"][0]["doc"], r["evidence"][0]["sentence"])
             if r["evidence"] else ""} for r in discovered_entities(_G)]


@st.cache_data(show_spinner=False, max_entries=8)
def graph_file(_G, key, fmt):
    return graph_bytes(_G, fmt)


@st.cache_data(show_spinner=False, max_entries=8)
def csv_files(_G, key):
    return csv_bytes(_G)  # nodes and edges are written together; both buttons share one call


def download(G, key, fmt):
    if fmt == "nodes.csv":
        return csv_files(G, key)[0]
    if fmt == "edges.csv":
        return csv_files(G, key)[1]
    return graph_file(G, key, fmt)


# --------------------------------------------------------------------------------------------------- selection state
def select(kind, node, centre=False):
    st.session_state["selected"] = {"kind": kind, "id": node}
    if centre:
        st.session_state["centre"] = node


def on_component(widget_key):
    value = st.session_state.get(widget_key)
    if value and value.get("id"):
        kind = value.get("kind", "node")
        node = value["id"]
        if str(node).startswith("folded:segment:"):  # a folded group of firms stands for its segment
            kind, node = "segment", node.split(":", 2)[2]
        select(kind, node)


def on_pick():
    node = st.session_state.get("pick")
    if node:
        select("node", node, centre=True)


def on_table(widget_key, ids):
    rows = st.session_state[widget_key].selection.rows
    if rows:
        node = ids[rows[0]]
        select("segment" if str(node).startswith("segment:") else "node", node)


def on_chart(widget_key):
    chosen = st.session_state[widget_key].selection.get("bar") or []
    if chosen and chosen[0].get("segment"):
        select("segment", chosen[0]["segment"])


# ---------------------------------------------------------------------------------------------------------- sidebar
language = st.sidebar.radio("Language · 语言 · 言語", list(LANGUAGES), horizontal=True, key="language")
lang = LANGUAGE_CODES[language]


def T(key, **values):
    return ui(key, language, **values)


# Arguments after "--": streamlit run app.py -- --roster national.csv --doc more.txt (streamlit sets sys.argv[0] to
# this script; under AppTest it is the test runner's, whose arguments are not ours).
own_argv = sys.argv[1:] if Path(sys.argv[0]).resolve() == Path(__file__).resolve() else []
try:
    start = app_inputs(own_argv)
except SystemExit:
    st.error("Unknown arguments after `--`; use `--doc PATH`, `--roster PATH` or `--no-bundled`.")
    st.stop()
with st.sidebar.expander(T("side_data"), expanded=False):
    doc_files = st.file_uploader(T("upload_docs"), type=["txt"], accept_multiple_files=True, key="docs")
    roster_files = st.file_uploader(T("upload_rosters"), type=["csv"], accept_multiple_files=True, key="rosters")
docs, rosters, kept, upload_errors, upload_warnings = read_uploads(doc_files, roster_files)
start_key = "start:" + repr(sorted(start.items()))
G = None
if docs or rosters:
    digest = hashlib.sha256()
    for name, data in kept:
        digest.update(name.encode() + data)
    key = digest.hexdigest()
    try:
        G = graph_with_uploads(key, docs, rosters, start)
    except InputError as exc:  # the uploads do not fit together; the page goes on without them
        upload_errors.append(str(exc))
        docs, rosters = [], []
# Messages in place, under the upload box: what could not be read, and what was cleaned or counted once.
for message in upload_errors:
    st.sidebar.error(md(message))
for message in upload_warnings:
    st.sidebar.warning(md(message))


def region_picker(page):
    """The region selectbox, from the first page's regions (``opening_view``): the same with or without the graph."""
    regions, default = page["regions"], page["default"]
    return st.sidebar.selectbox(T("region"), list(regions), index=list(regions).index(default)
                                if default in regions else 0,
                                format_func=lambda r: node_label(regions[r], language), key="region",
                                bind="query-params")


def page_header(summary):
    """Title, what the graph was built from, and the view selector; returns the view."""
    st.title(T("app_title"))
    titles = summary["titles"]
    st.caption(md(T("built_from", docs=len(titles), titles="; ".join(titles[:3]) + (" …" if len(titles) > 3 else ""),
                    rosters=summary["rosters"]))
               + " · " + T("counts", nodes=f"{summary['nodes']:,}", edges=f"{summary['edges']:,}",
                           orgs=f"{summary['orgs']:,}"))
    return st.segmented_control(T("view"), VIEWS, default="chain", required=True, key="view", bind="query-params",
                                format_func=lambda v: T("view_" + v), label_visibility="collapsed")


def draw_chain(spec, graph=None):
    """The chain map component, with the selection (and, with the graph, the selected firm's segments) marked."""
    chosen = st.session_state.get("selected")
    sel = chosen["id"] if chosen else None
    hl = [s for s in (graph.nodes[sel].get("segments", []) if graph is not None and sel in graph else [])] + \
        ([sel] if sel else [])
    explorer(spec=json.dumps({**spec, "selected": sel, "highlight_segments": hl}), key="chain_click",
             on_change=partial(on_component, "chain_click"), default=None)
    st.caption(T("chain_hint"))


def first_page_while_loading(load, page):
    """A restart's first page, drawn from what was kept beside the graph's cache entry under the same key (so from
    the same inputs and code) while the graph itself is read; it says so, and the page then runs on the whole graph.
    What needs the whole graph (another region or view, a search, the inspector) waits for it with a progress bar."""
    st.sidebar.header(T("side_find"))
    query = st.sidebar.text_input(T("search"), placeholder="AgiBot / 智元机器人 / 智元ロボット", key="search")
    region = region_picker(page)
    st.sidebar.caption(T("filters_after_load"))
    view = page_header(page["summary"])
    drawing, side = st.columns([2, 1], gap="medium")
    shown = view == "chain" and region == page["default"] and not query
    if shown:
        with drawing:
            draw_chain(chain_spec(page["chain_map"], key, region, language))
    with side:
        st.subheader(T("inspector"))
        st.info(T("needs_graph" if st.session_state.get("selected") else "inspector_hint"))
    with side if shown else drawing:  # the drawing stays where the whole page draws it
        start_graph(load, T("loading_rest" if shown else "needs_graph"))
    st.rerun()


load = None
if G is None:
    key = start_key
    try:
        load = start_load(**start)
        if not load.done() and (kept_page := load.stored(OPENING)) is not None:
            first_page_while_loading(load, kept_page)
        G = start_graph(load)
    except InputError as exc:
        start_load.clear()  # the load keeps its error: the next visit tries again (after the file is fixed)
        st.error(md(str(exc)))
        st.stop()
catalogue = catalogue_of(G)
if st.session_state.get("selected", {}).get("id") not in G:  # e.g. an upload was removed
    st.session_state.pop("selected", None)

st.sidebar.header(T("side_find"))
query = st.sidebar.text_input(T("search"), placeholder="AgiBot / 智元机器人 / 智元ロボット", key="search")
hits = matches(G, key, query) if query else []
if query and not hits:
    st.sidebar.info(T("no_match", query=md(repr(query))))
if hits:
    ids = [h["id"] for h in hits]
    if st.session_state.get("pick") not in ids:
        st.session_state["pick"] = ids[0]
        select("node", ids[0], centre=True)
    st.sidebar.radio(T("matches"), ids, key="pick", on_change=on_pick,
                     format_func=lambda n: md(f"{node_label(G.nodes[n], language)} · "  # options are Markdown
                                              f"{ui(G.nodes[n].get('type', ''), language, 'types')}"))
else:
    st.session_state.pop("pick", None)

region = region_picker(regions_of(G, key))

st.sidebar.header(T("side_filter"))
stage_ids = [s.id.split(":", 1)[1] for s in catalogue.stages()]
stage_names = {s.id.split(":", 1)[1]: getattr(s, f"name_{lang}") or s.name_en for s in catalogue.stages()}
stages = st.sidebar.multiselect(T("stages"), stage_ids, format_func=stage_names.get, key="stages",
                                placeholder=T("choose"))
segment_names = {s.id: getattr(s, f"name_{lang}") or s.name_en for s in catalogue.segments()}
segments = st.sidebar.multiselect(T("segments"), list(segment_names), format_func=segment_names.get, key="segments",
                                  placeholder=T("choose"))
region_only = st.sidebar.toggle(T("region_only", region=node_label(G.nodes[region], language)), key="region_only")
show_places = st.sidebar.toggle(T("show_places"), value=False, key="places")
show_claims = st.sidebar.toggle(T("show_claims"), value=False, key="claims")
show_documents = st.sidebar.toggle(T("show_documents"), value=False, key="documents")
selected = st.session_state.get("selected")
ego_on = st.sidebar.toggle(T("ego"), value=False, key="ego", disabled=not selected or selected["kind"] != "node")
with st.sidebar.expander(T("side_drawing")):
    all_types = catalogue.node_types
    types = st.multiselect(T("types"), all_types, default=all_types, key="types",
                           format_func=lambda t: ui(t, language, "types"))
    max_mentions = summary_of(G, key)["max_mentions"]
    min_mentions = st.slider(T("min_mentions"), 0, int(max_mentions), 0, key="min_mentions")
    layout = st.radio(T("layout"), ["chain lanes", "force-directed"], horizontal=True, key="layout",
                      format_func=lambda x: T("layout_lanes" if x == "chain lanes" else "layout_force"))
    size_by = st.radio(T("size_by"), ["degree", "mentions"], horizontal=True, key="size_by",
                       format_func=lambda x: T("by_degree" if x == "degree" else "by_mentions"))
    physics = st.toggle(T("physics"), value=False, key="physics")
    cap = st.number_input(T("cap"), min_value=50, max_value=20000, value=DEFAULT_CAP, step=250, key="cap")
    above_cap = st.selectbox(T("above_cap"), list(ABOVE_CAP), key="above_cap", format_func=T,
                             help=T("above_cap_help"))

# ------------------------------------------------------------------------------------------------------------- page
view = page_header(summary_of(G, key))
selected = st.session_state.get("selected")


def inspector(container):
    """The selected node or segment, for people: names, not ids; each relation once; each sentence once."""
    with container:
        st.subheader(T("inspector"))
        if not selected or selected["id"] not in G:
            st.info(T("inspector_hint"))
            return
        node = selected["id"]
        d = G.nodes[node]
        if selected["kind"] == "segment" or d.get("type") in catalogue.types_with("segment"):
            seg_inspector(node)
            return
        info = node_card(G, node)
        st.markdown("### " + md(info["names"][lang]))
        kind = ui(info["type"], language, "types")
        parts = [kind, T("origin_" + info["origin"])]
        if info["mentions"]:
            parts.append(f"{T('mentions')}: {info['mentions']}")
        st.caption(md(" · ".join(parts)))
        others = [x for x in dict.fromkeys(info["names"].values()) if x != info["names"][lang]]
        if others:
            st.markdown(f"**{T('names')}:** " + md(" / ".join(others)))
        if info["segments"]:
            st.markdown(f"**{T('in_segments')}:** " + md(", ".join(node_label(G.nodes[s], language)
                                                                    for s in info["segments"])))
        if info["places"]:
            st.markdown(f"**{T('located')}:** " + md("; ".join(
                f"{node_label(G.nodes[p['place']], language)} ({', '.join(ui(m, language, 'methods') for m in p['methods'])})"
                for p in info["places"])))
        if info["conflict"]:
            st.warning(md(T("conflict", places=" / ".join(node_label(G.nodes[p], language)
                                                          for p in info["conflict"]))))
        if info["text"]:
            st.markdown(md(info["text"]))
        if info["relations"]:
            import pandas as pd  # tables only; the first page draws without it

            st.markdown(f"**{T('relations')}** · " + T("open_row"))
            rel_ids = [r["id"] for r in info["relations"]]
            table = pd.DataFrame([{
                T("col_relation"): relation_name(r["type"], r["outgoing"], language),
                T("col_name"): node_label(G.nodes[r["id"]], language) or str(r["id"]),
                T("col_kind"): ui(G.nodes[r["id"]].get("type", ""), language, "types"),
                T("col_how"): ", ".join(ui(m, language, "methods") for m in r["methods"])} for r in info["relations"]])
            st.dataframe(table, hide_index=True, width="stretch", height=min(400, 36 + 35 * len(table)),
                         on_select=partial(on_table, "relations_table", rel_ids), selection_mode="single-row",
                         key="relations_table")
        if info["evidence"]:
            show_evidence(info["evidence"])
        if info["sources"]:
            st.markdown(f"**{T('sources')}**")
            for s in info["sources"][:20]:
                where = T("roster_row", file=s["file"], line=s["line"]) if s["file"] else ""
                links = [u for u in s["source"].split(" ; ") if u.startswith(("http://", "https://"))]
                text = " · ".join([*(md(u) for u in links), md(where)] if where else [md(u) for u in links])
                st.markdown("- " + text + (f"  \n  {md(s['quote'][:300])}" if s["quote"] else ""))


def show_evidence(evidence):
    """The sentences of a node card's ``evidence`` (escaped), each mention marked; the first 50."""
    st.markdown(f"**{T('evidence', n=len(evidence))}**")
    for ev in evidence[:50]:
        st.caption(md(T("sentence_of", doc=ev["doc_title"], n=ev["sentence"] + 1)))
        st.html(highlight_spans(ev["sentence_text"], ev["spans"]))


def seg_inspector(segment):
    import pandas as pd

    card = coverage_card(G, key, region)
    members = segment_members(G, segment, card)
    stage = members["stage"]
    st.markdown("### " + md(members["names"][lang]))
    st.caption(md(f"{ui('Segment', language, 'types')} · {T('stage')}: {stage_names.get(stage, stage)}"))
    region_name = node_label(G.nodes[card["region"]], language)
    if members["status"] == "uncovered":
        st.error(md(T("segment_status_uncovered", region=region_name)))
        return
    if members["status"] == "single":
        st.warning(md(T("segment_status_single", region=region_name)))
    st.markdown(f"**{md(T('segment_firms', region=region_name, n=members['count']))}** · " + T("open_row"))
    ids = [f["id"] for f in members["firms"]]
    table = pd.DataFrame([{
        T("col_name"): f["names"][lang], T("from_origin"): T("origin_" + f["origin"]),
        T("col_where"): ", ".join(node_label(G.nodes[p], language) for p in f["places"]),
        T("col_evidence"): f["quote"] or f["source"] or ""} for f in members["firms"]])
    st.dataframe(table, hide_index=True, width="stretch", height=min(500, 36 + 35 * len(table)),
                 on_select=partial(on_table, "segment_table", ids), selection_mode="single-row", key="segment_table")
    if members["count"] > len(ids):
        st.caption(T("shown_first", shown=len(ids), n=f"{members['count']:,}"))


def network_filters():
    return (("types", tuple(types)), ("stages", tuple(stages)), ("segments", tuple(segments)),
            ("region", region if region_only else None), ("min_mentions", min_mentions),
            ("show_documents", show_documents), ("show_claims", show_claims), ("show_places", show_places))


def network_page():
    ego = selected["id"] if ego_on and selected and selected["kind"] == "node" else None
    return network_view(G, key, network_filters(), layout, language, size_by, physics, int(cap), ego, above_cap)


# --------------------------------------------------------------------------------------------------------- the views
if view in ("chain", "network", "coverage"):
    drawing, side = st.columns([2, 1], gap="medium")
else:
    drawing, side = st.container(), None

if view == "chain":
    with drawing:
        draw_chain(chain_spec(region_map(G, key, region), key, region, language), G)

elif view == "network":
    with drawing:
        spec, note = network_page()
        if spec is None:
            st.info(T("nothing_drawn"))
        else:
            if note:
                st.warning(md(note))
            centre = st.session_state.pop("centre", None)
            sel = selected["id"] if selected and selected["kind"] == "node" else None
            explorer(spec=json.dumps({**spec, "selected": sel, "focus": centre}), key="net_click",
                     on_change=partial(on_component, "net_click"), default=None)
            st.caption(T("drawn", n=len(spec["nodes"])))

elif view == "coverage":
    import altair as alt  # the chart only (half a second to import)
    import pandas as pd

    card = coverage_card(G, key, region)
    with drawing:
        st.markdown("#### " + md(coverage_verdict(card, language)))
        st.markdown(md(roster_what_if(card, language)))
        if rosters:
            before = coverage_card(start_graph(start_load(**start)), start_key, region)
            diff = coverage_diff(before, card)
            st.markdown(md(upload_what_if(diff, language, segment_names)))
        gaps = gap_rows(card)
        st.markdown(f"**{T('gaps')}**")
        if gaps:
            for status in ("uncovered", "single"):
                names = [segment_names.get(g["segment"], g["name"]) for g in gaps if g["status"] == status]
                if names:
                    st.markdown(f"- **{T('gap_' + status)}** ({len(names)}): " + md(", ".join(names)))
            st.download_button(T("download_gaps"), gaps_csv(card, language), f"gaps-{region}.csv", "text/csv",
                               on_click="ignore", key="gaps_download")
        else:
            st.write(T("gaps_none"))
        chain_order = {s: i for i, s in enumerate(segment_names)}  # the taxonomy's order, upstream first
        rows = pd.DataFrame([{"segment": r["segment"], "name": segment_names.get(r["segment"], r["name"]),
                              "stage": stage_names.get(r["stage"], r["stage"]), "firms": len(r["firms"]),
                              "names": ", ".join(r["firm_names"][:8])}
                             for r in sorted(card["segments"], key=lambda r: chain_order.get(r["segment"], 1e9))])
        bar = alt.selection_point(name="bar", fields=["segment"], on="click")
        chart = (alt.Chart(rows, title=T("chart_title")).mark_bar()
                 .encode(y=alt.Y("name:N", sort=list(rows["name"]), title=None,
                                 axis=alt.Axis(labelLimit=0, labelOverlap=False, labelFontSize=13,
                                               labelColor="#31333f")),
                         x=alt.X("firms:Q", title=T("col_firms"), axis=alt.Axis(tickMinStep=1)),
                         color=alt.Color("stage:N", sort=list(dict.fromkeys(rows["stage"])), title=None,
                                         legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=0)),
                         opacity=alt.condition(bar, alt.value(1.0), alt.value(0.55)),
                         tooltip=[alt.Tooltip("name:N", title=T("col_segment")),
                                  alt.Tooltip("firms:Q", title=T("col_firms")),
                                  alt.Tooltip("names:N", title=T("col_firm_names"))])
                 .add_params(bar).properties(height=alt.Step(26)))
        st.altair_chart(chart, on_select=partial(on_chart, "coverage_chart"), key="coverage_chart",
                        selection_mode="bar", width="stretch")
        if card["conflicts"]:
            st.markdown(f"**{T('conflicts')}**")
            for c in card["conflicts"]:
                places = sorted({s["place"] for s in c["statements"]})
                st.markdown("- " + md(node_label(G.nodes[c["firm"]], language) + ": " + " / ".join(
                    node_label(G.nodes[p], language) for p in places)))
        with st.expander(T("denominator")):
            if card["stated"]:
                s = card["stated"][0]
                st.markdown(md(f"「{s['quote']}」 — {s['sentence_text']}"))
            st.caption(md(card["denominator"]))
            st.dataframe(pd.DataFrame([{T("col_segment"): segment_names.get(r["segment"], r["name"]),
                                        T("col_stage"): stage_names.get(r["stage"], r["stage"]),
                                        T("col_firms"): len(r["firms"]),
                                        T("col_firm_names"): ", ".join(r["firm_names"][:12]),
                                        T("col_texts_alone"): bool(r["covered_text_only"])}
                                       for r in card["segments"]]), hide_index=True, width="stretch")

elif view == "claims":
    import pandas as pd

    rows = claims_of(G, key)
    st.caption(T("claims_intro", n=len(rows), d=sum(r["disputed"] for r in rows)))

    def dispute_text(r):
        return " | ".join(" · ".join(x for x in (o["value"], o["date"], o["statement"], o["source"]) if x)
                          for o in r["disputes"])

    table = pd.DataFrame([{
        T("col_disputed"): r["disputed"], T("col_metric"): ui(r["metric"], language, "metrics"),
        T("col_value"): r["value"], T("col_qualifier"): ui("q_" + r["qualifier"], language) if r["qualifier"] else "",
        T("col_about"): ", ".join(r["about"]), T("col_written"): r["text"], T("col_dispute"): dispute_text(r),
        T("col_sentence"): r["sentence"] or r["source"]} for r in rows])
    st.dataframe(table, hide_index=True, width="stretch", height=640,
                 column_config={T("col_sentence"): st.column_config.TextColumn(width="large"),
                                T("col_dispute"): st.column_config.TextColumn(width="large"),
                                T("col_about"): st.column_config.TextColumn(width="medium"),
                                T("col_written"): st.column_config.TextColumn(width="small")})

elif view == "discovered":
    import pandas as pd

    found = review_rows(G, key)
    confirmable = confirmable_types(G)
    st.caption(T("review_intro", n=len(found), orgs=sum(r["type"] in confirmable for r in found)))
    if not found:
        st.info(T("review_none"))
    else:
        threshold = st.slider(T("review_threshold"), 0.0, 1.0, CERTAIN_CONFIDENCE, 0.05, key="review_threshold")
        ids = [r["id"] for r in found]
        confirm = T("col_confirm")
        table = pd.DataFrame([{
            confirm: r["type"] in confirmable and r["confidence"] >= threshold,
            T("col_kind"): ui(r["type"], language, "types"), T("col_name"): r["name"],
            T("col_other_names"): " / ".join(x for x in dict.fromkeys([r["name_zh"], r["name_en"], r["name_ja"],
                                                              *r["aliases"][:6]]) if x and x != r["name"]),
            T("col_confidence"): r["confidence"], T("col_found_by"): ", ".join(r["found_by"]),
            T("col_mentions"): r["mentions"], T("col_first_sentence"): r["first_sentence"]} for r in found],
            index=ids)
        # The ticks start from the threshold; moving it starts the review over (a new editor key).
        edited = st.data_editor(table, hide_index=True, width="stretch", height=min(560, 36 + 35 * len(table)),
                                disabled=[c for c in table.columns if c != confirm], key=f"review:{key}:{threshold}",
                                column_config={confirm: st.column_config.CheckboxColumn(),
                                               T("col_confidence"): st.column_config.NumberColumn(format="%.2f"),
                                               T("col_first_sentence"): st.column_config.TextColumn(width="large")})
        ticked = [r for r, ok in zip(found, edited[confirm]) if ok]
        chosen = [r["id"] for r in ticked if r["type"] in confirmable]
        if len(chosen) < len(ticked):
            st.caption(T("review_not_orgs", n=len(ticked) - len(chosen)))
        csv_text = roster_csv(roster_rows(G, chosen))
        st.download_button(T("download_roster", n=len(chosen)), ("\ufeff" + csv_text).encode("utf-8"),
                           "reviewed-roster.csv", "text/csv", on_click="ignore", key="roster_download",
                           disabled=not chosen)
        st.caption(T("review_upload_hint"))
        names = {r["id"]: f"{r['name']} · {ui(r['type'], language, 'types')} · {r['confidence']:.2f}" for r in found}
        shown = st.selectbox(T("review_evidence"), ids, format_func=names.get, key="review_evidence")
        show_evidence(node_card(G, shown)["evidence"])

else:  # export
    st.write(T("export_intro"))
    e1, e2, e3 = st.columns(3)
    # Files are made when a button is clicked (a callable), so a large graph does not slow every page load.
    for column, (label, fmt, filename, mime) in zip([e1, e2, e3, e1, e2], [
            ("GraphML", "graphml", "ecosystem.graphml", "application/xml"),
            ("GEXF", "gexf", "ecosystem.gexf", "application/xml"),
            ("Node-link JSON", "json", "ecosystem.json", "application/json"),
            ("Nodes CSV", "nodes.csv", "nodes.csv", "text/csv"),
            ("Edges CSV", "edges.csv", "edges.csv", "text/csv")]):
        column.download_button(label, partial(download, G, key, fmt), filename, mime, on_click="ignore")
    spec, _ = network_page()
    if spec is not None:
        e3.download_button(T("export_view"), partial(standalone_page, spec), "ecosystem-view.html", "text/html",
                           on_click="ignore")

if side is not None:
    inspector(side)
views_prepared(G, key)
