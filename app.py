"""Ecosystem Graph Explorer: the Streamlit page. It only renders; every computation is a call into graph/."""

import hashlib
import sys
from functools import partial
from pathlib import Path

import pandas as pd
import streamlit as st

from graph import build_graph
from graph.cli import app_inputs
from graph.coverage import chain_coverage, coverage_diff, known_regions
from graph.places import default_region as default_region_of
from graph.export import csv_bytes
from graph.io import graph_bytes
from graph.query import claim_rows
from graph.render import LANGUAGES, highlight_html, node_label, to_pyvis_html
from graph.render import markdown_text as md
from graph.view import DEFAULT_CAP, cap_view, filter_view, name_index, node_details, search_nodes, top_nodes
from loaders.catalogue import load_catalogue
from loaders.errors import InputError
from loaders.rosters import parse_roster
from loaders.text import decode_bytes, document_from_text

st.set_page_config(page_title="Ecosystem Graph Explorer", layout="wide")


# What the graph view does above the display cap: (cap_view mode, fold_by, rank_by; None ranks as nodes are sized).
ABOVE_CAP = {"fold by segment": ("aggregate", "segment", None), "fold by region": ("aggregate", "region", None),
             "fold by type": ("aggregate", "type", None), "top by degree": ("top", "segment", "degree"),
             "top by mentions": ("top", "segment", "mentions")}


# ------------------------------------------------------------------------------------------- data (cached, read-only)
def build_with_progress(**inputs):
    """build_graph with a progress bar per document (shown while it runs, then removed)."""
    bar = st.progress(0.0, text="Reading the rosters and the catalogue…")
    G = build_graph(**inputs, progress=lambda done, total: bar.progress(done / total, text=f"Document {done} of {total}"))
    bar.empty()
    return G


@st.cache_resource(show_spinner="Building the graph from the documents and rosters…")
def start_graph(docs: tuple = (), rosters: tuple = (), bundled: bool = True):
    return build_with_progress(docs=list(docs), rosters=list(rosters), bundled=bundled)


def read_uploads(doc_files, roster_files):
    """Uploaded files as documents and roster rows; a bad file becomes an error message, the rest still load."""
    docs, rosters, errors = [], [], []
    for f in doc_files or []:
        try:
            text, _ = decode_bytes(f.getvalue(), f.name)
            docs.append(document_from_text(text, Path(f.name).stem, title=f.name, source="upload"))
        except InputError as exc:
            errors.append(str(exc))
    for f in roster_files or []:
        try:
            rows = parse_roster(f.getvalue().decode("utf-8-sig"), load_catalogue(), f.name)
            rosters.append(rows)
        except UnicodeDecodeError:
            errors.append(f"{f.name}: the roster is not UTF-8; save it as UTF-8 (with or without BOM)")
        except InputError as exc:
            errors.append(str(exc))
    return docs, rosters, errors


@st.cache_resource(show_spinner=False, max_entries=4)
def graph_with_uploads(key, _docs, _rosters, start):
    return build_with_progress(docs=[*start["docs"], *_docs], rosters=[*start["rosters"], *_rosters],
                               bundled=start["bundled"])


@st.cache_data(show_spinner=False)
def coverage_card(_G, key, region):
    return chain_coverage(_G, region)


@st.cache_resource(show_spinner=False, max_entries=4)
def search_index(_G, key):
    return name_index(_G)


@st.cache_data(show_spinner=False)
def most_mentioned(_G, key, limit=500):
    return top_nodes(_G, "mentions", limit)


@st.cache_data(show_spinner=False)
def claims_table(_G, key):
    return claim_rows(_G)


@st.cache_data(show_spinner="Laying out the graph…")
def view_page(_G, key, filters, layout, language, size_by, physics, cap, focus, above_cap):
    view = filter_view(_G, **dict(filters))
    if focus is not None and focus not in view:
        view = _G.subgraph([*view.nodes, focus])
    mode, fold_by, rank_by = ABOVE_CAP[above_cap]
    view, note = cap_view(view, cap, "ego" if focus else mode, focus, fold_by=fold_by, rank_by=rank_by or size_by)
    if view.number_of_nodes() == 0:
        return None, note, 0
    return to_pyvis_html(view, layout, language, size_by, physics), note, view.number_of_nodes()


@st.cache_data(show_spinner=False)
def graph_file(_G, key, fmt):
    return graph_bytes(_G, fmt)


@st.cache_data(show_spinner=False)
def csv_files(_G, key):
    return csv_bytes(_G)  # nodes and edges are written together; both buttons share one call


def download(G, key, fmt):
    if fmt == "nodes.csv":
        return csv_files(G, key)[0]
    if fmt == "edges.csv":
        return csv_files(G, key)[1]
    return graph_file(G, key, fmt)


# ---------------------------------------------------------------------------------------------------------- sidebar
# Arguments after "--": streamlit run app.py -- --roster national.csv --doc more.txt (streamlit sets sys.argv[0] to
# this script; under AppTest it is the test runner's, whose arguments are not ours).
own_argv = sys.argv[1:] if Path(sys.argv[0]).resolve() == Path(__file__).resolve() else []
try:
    start = app_inputs(own_argv)
except SystemExit:
    st.error("Unknown arguments after `--`; use `--doc PATH`, `--roster PATH` or `--no-bundled`.")
    st.stop()
st.sidebar.header("Data")
doc_files = st.sidebar.file_uploader("More documents (.txt; UTF-8, GB18030 or Shift_JIS)", type=["txt"],
                                     accept_multiple_files=True, key="docs")
roster_files = st.sidebar.file_uploader("Rosters (.csv)", type=["csv"], accept_multiple_files=True, key="rosters")
docs, rosters, upload_errors = read_uploads(doc_files, roster_files)
if docs or rosters:
    digest = hashlib.sha256()
    for f in [*(doc_files or []), *(roster_files or [])]:
        digest.update(f.name.encode() + f.getvalue())
    key = digest.hexdigest()
    G = graph_with_uploads(key, docs, rosters, start)
else:
    key = "start:" + repr(sorted(start.items()))
    try:
        G = start_graph(**start)
    except InputError as exc:
        st.error(md(str(exc)))
        st.stop()

st.sidebar.header("Find")
query = st.sidebar.text_input("Entity name in any language", placeholder="AgiBot / 智元机器人 / 智元ロボット",
                              key="search")
hits = search_nodes(G, query, index=search_index(G, key)) if query else []
language = st.sidebar.radio("Labels", list(LANGUAGES), horizontal=True, key="language")
focus_on = st.sidebar.toggle("Draw only the first match and its neighbours", value=False, disabled=not hits,
                             key="focus")
focus = hits[0]["id"] if hits and focus_on else None

st.sidebar.header("Filter")
catalogue = load_catalogue()
all_types = catalogue.node_types
types = st.sidebar.multiselect("Node types", all_types, default=all_types,
                               key="types")
stages = st.sidebar.multiselect("Chain stages", [s.id.split(":", 1)[1] for s in catalogue.stages()], key="stages")
segment_names = {s.id: s.name for s in catalogue.segments()}
segments = st.sidebar.multiselect("Segments", list(segment_names), format_func=segment_names.get, key="segments")
regions = {r["id"]: r["name"] for r in known_regions(G)}
region = st.sidebar.selectbox("Organisations located in", [None, *regions], format_func=lambda r: regions.get(r, "anywhere"),
                              key="region")
max_mentions = max([d.get("mentions", 0) for _, d in G.nodes(data=True)] + [1])
min_mentions = st.sidebar.slider("Minimum mentions", 0, int(max_mentions), 0, key="min_mentions")
show_claims = st.sidebar.toggle("Claim nodes", value=True, key="claims")
show_documents = st.sidebar.toggle("Document nodes", value=False, key="documents")

st.sidebar.header("Drawing")
layout = st.sidebar.radio("Layout", ["chain lanes", "force-directed"], horizontal=True, key="layout")
size_by = st.sidebar.radio("Size by", ["degree", "mentions"], horizontal=True, key="size_by")
physics = st.sidebar.toggle("Physics (slow on large graphs)", value=False, key="physics")
cap = st.sidebar.number_input("Most nodes to draw", min_value=50, max_value=20000, value=DEFAULT_CAP, step=250,
                              key="cap")
above_cap = st.sidebar.selectbox("Above that", list(ABOVE_CAP), key="above_cap",
                                 help="Fold: keep the highest-ranked half and fold the rest into one node per group, "
                                      "with its count. Top: keep only the highest-ranked nodes.")

# ------------------------------------------------------------------------------------------------------------- page
st.title("Ecosystem Graph Explorer")
titles = [d.get("name", n) for n, d in G.nodes(data=True) if d.get("type") == "Document"]
st.caption(md(f"Built from {len(titles)} document{'s' * (len(titles) != 1)} ({'; '.join(titles[:3])}"
              f"{' …' if len(titles) > 3 else ''}) and {len(G.graph.get('rosters', []))} roster(s). "
              "Every node and edge from a text carries the sentence it comes from."))
for message in upload_errors:
    st.error(md(message))

counts = pd.Series([d.get("type") for _, d in G.nodes(data=True)]).value_counts()
cols = st.columns(5)
cols[0].metric("Nodes", G.number_of_nodes())
cols[1].metric("Edges", G.number_of_edges())
cols[2].metric("Organisations", int(counts.get("Company", 0) + counts.get("Institution", 0)))
cols[3].metric("Claims", int(counts.get("Claim", 0)))
cols[4].metric("Documents", len(G.graph.get("documents", [])))

graph_tab, inspector_tab, coverage_tab, claims_tab, export_tab = st.tabs(
    ["Graph", "Inspector", "Coverage", "Claims", "Export"])

with graph_tab:
    filters = (("types", tuple(types)), ("stages", tuple(stages)), ("segments", tuple(segments)), ("region", region),
               ("min_mentions", min_mentions), ("show_documents", show_documents), ("show_claims", show_claims))
    page, note, shown = view_page(G, key, filters, layout, language, size_by, physics, int(cap), focus, above_cap)
    if page is None:
        st.info("No node matches these filters. Clear a filter in the sidebar to see the graph again.")
    else:
        if note:
            st.warning(md(note))
        st.caption(f"{shown} nodes drawn. Hover a node for its names and first evidence; drag to pan, scroll to zoom.")
        st.iframe(page, height=720)  # runs with the app's origin: to_pyvis_html escapes every text in it

with inspector_tab:
    choices = [h["id"] for h in hits] or most_mentioned(G, key)
    if query and not hits:
        st.info(f"Nothing is called {md(repr(query))} in any language. Try another spelling or a shorter name.")
    node = st.selectbox("Node", choices, format_func=lambda n: f"{node_label(G.nodes[n], language)} "
                                                                f"({G.nodes[n].get('type')})",
                        key="node") if choices else None
    if node:
        info = node_details(G, node)
        st.subheader(md(node_label(G.nodes[node], language)))
        st.dataframe(pd.DataFrame({"attribute": list(info["attributes"]),
                                   "value": [str(v) for v in info["attributes"].values()]}),
                     hide_index=True, width="stretch")
        for name, values in info["lists"].items():
            st.markdown(f"**{name}**: " + md(", ".join(str(v) for v in values[:30])))
        for c in info["conflicts"]:
            st.warning("Sources disagree on where this is: " + md(" vs ".join(
                f"{s['place_name']} ({s['method']})" for s in c["statements"])))
        st.markdown("#### Neighbours")
        for relation, rows in info["neighbours"].items():
            with st.expander(f"{relation} ({len(rows)})"):
                st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
        st.markdown(f"#### Evidence ({len(info['evidence'])})")
        for ev in info["evidence"][:50]:
            st.caption(md(f"{ev['doc_title']} · sentence {ev['sentence']}"))
            st.html(highlight_html(ev["sentence_text"], ev["start"], ev["end"]))
        if info["sources"]:
            st.markdown("#### Sources")
            st.dataframe(pd.DataFrame(info["sources"]), hide_index=True, width="stretch")

with coverage_tab:
    default_region = default_region_of(G) if default_region_of(G) in regions else next(iter(regions))
    cov_region = st.selectbox("Region", list(regions), index=list(regions).index(default_region),
                              format_func=regions.get, key="coverage_region")
    card = coverage_card(G, key, cov_region)
    c1, c2, c3 = st.columns(3)
    stated = card["stated_share"]
    c1.metric("Stated by the texts", "—" if stated is None else f"{stated:.0%}")
    c2.metric("Measured (all loaded)", f"{card['measured_share']:.1%}",
              delta=None if stated is None else f"{(card['measured_share'] - stated) * 100:+.1f} pp vs stated")
    c3.metric("Measured (texts alone)", f"{card['measured_share_text_only']:.1%}")
    if card["stated"]:
        s = card["stated"][0]
        st.caption(md(f"「{s['quote']}」 — {s['sentence_text']} ({s['doc']} #{s['sentence']})"))
    if card["note"]:
        st.info(md(card["note"]))
    st.caption(f"Denominator: {card['denominator']}. Firms stated: "
               f"{card['firms_stated']['text'] if card['firms_stated'] else '—'}; known: {card['firms_known']}.")
    seg = pd.DataFrame([{"segment": r["name"], "stage": r["stage"], "firms": len(r["firms"]),
                         "firm names": ", ".join(r["firm_names"]), "texts alone": r["covered_text_only"]}
                        for r in card["segments"]])
    # Chain order (upstream first, as chain_coverage lists them); one labelled bar per segment.
    st.bar_chart(seg, x="segment", y="firms", color="stage", horizontal=True, sort=False,
                 height=28 * len(seg) + 90)
    st.dataframe(seg, hide_index=True, width="stretch")
    u1, u2 = st.columns(2)
    u1.markdown("**Uncovered segments**")
    u1.write(", ".join(segment_names.get(s, s) for s in card["uncovered"]) or "none")
    u2.markdown("**Single-firm segments** (concentration risk)")
    u2.write(", ".join(segment_names.get(s, s) for s in card["single_firm"]) or "none")
    for c in card["conflicts"]:
        st.warning(md(f"{c['name']}: sources place it in " + " and ".join(
            sorted({s['place_name'] for s in c['statements']})) + "; both statements are kept."))
    if rosters:
        diff = coverage_diff(coverage_card(start_graph(**start), "start:" + repr(sorted(start.items())), cov_region),
                             card)
        st.markdown(f"**Effect of the uploaded rosters:** {diff['measured_share_before']:.1%} → "
                    f"{diff['measured_share_after']:.1%} ({diff['delta'] * 100:+.1f} pp)")
        for c in diff["closed"]:
            st.markdown(md(f"closes {segment_names.get(c['segment'], c['segment'])}: {', '.join(c['firm_names'])}"))

with claims_tab:
    rows = claims_table(G, key)
    st.dataframe(pd.DataFrame([{"metric": r["metric"], "value": r["display_value"], "unit": r["unit"],
                                "qualifier": r["qualifier"], "about": ", ".join(r["subject_names"]),
                                "as written": r["text"], "named": r["reconciliation"],
                                "sentence": r["sentence_text"] or (r["sources"][0]["source"] if r["sources"] else ""),
                                "disputed by other source": bool(r["disputed_by"])} for r in rows]),
                 hide_index=True, width="stretch", height=600)

with export_tab:
    st.write("The whole graph (with uploads) in every format, and the current filtered view as an offline page.")
    e1, e2, e3 = st.columns(3)
    # Files are made when a button is clicked (a callable), so a large graph does not slow every page load.
    for column, (label, fmt, filename, mime) in zip([e1, e2, e3, e1, e2], [
            ("GraphML", "graphml", "ecosystem.graphml", "application/xml"),
            ("GEXF", "gexf", "ecosystem.gexf", "application/xml"),
            ("Node-link JSON", "json", "ecosystem.json", "application/json"),
            ("Nodes CSV", "nodes.csv", "nodes.csv", "text/csv"),
            ("Edges CSV", "edges.csv", "edges.csv", "text/csv")]):
        column.download_button(label, partial(download, G, key, fmt), filename, mime, on_click="ignore")
    if page is not None:
        e3.download_button("Current view (HTML, offline)", page, "ecosystem-view.html", "text/html",
                           on_click="ignore")
