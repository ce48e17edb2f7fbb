"""The offline pyvis page, the layouts, filters, search and the display cap."""

import re

import networkx as nx
import pytest

from graph import build_graph
from graph.layout import chain_lanes, chain_plan, force_layout, lane_of
from graph.render import highlight_html, to_pyvis_html, tooltip_html, vis_data
from graph.view import cap_view, filter_view, node_details, search_nodes
from loaders.catalogue import load_catalogue
from loaders.rosters import parse_roster
from loaders.text import document_from_text

HOSTILE_NAME = "<img src=x onerror=alert(1)>"
HOSTILE_TEXT = "Robotics <script>alert(2)</script> firm AgiBot opened a lab in Zhangjiang."


@pytest.fixture(scope="module")
def hostile_graph():
    roster = parse_roster(f'name,segments,region,source\n"{HOSTILE_NAME}",reducers,zhangjiang,test\n',
                          load_catalogue(), "hostile.csv")
    doc = document_from_text(HOSTILE_TEXT, "hostile", title="<b>title</b>", source="test")
    return build_graph(docs=[doc], rosters=[roster])


def test_page_is_offline(seed_graph):
    page = to_pyvis_html(seed_graph)
    assert "vis-network" in page and "new vis.Network" in page
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page, re.I)
    assert not re.search(r"""url\(\s*(?!["']?data:)""", page)  # CSS pulls in nothing but inline data
    assert not re.search(r"""@import\s+(?:url\()?["']?(?:https?:)?//""", page)


def test_every_node_and_edge_is_drawn(seed_graph):
    nodes, edges = vis_data(seed_graph, chain_lanes(seed_graph))
    assert len(nodes) == seed_graph.number_of_nodes() and len(edges) == seed_graph.number_of_edges()
    assert all(isinstance(n["x"], float) and isinstance(n["y"], float) for n in nodes)


def test_hostile_text_is_escaped(hostile_graph):
    node = next(n for n, d in hostile_graph.nodes(data=True) if d.get("name") == HOSTILE_NAME)
    tip = tooltip_html(hostile_graph, node)
    assert "<img" not in tip and "&lt;img src=x onerror=alert(1)&gt;" in tip
    agibot = tooltip_html(hostile_graph, "agibot")
    assert "<script>" not in agibot
    page = to_pyvis_html(hostile_graph, heading="<i>view</i>")
    assert HOSTILE_NAME not in page and "<script>alert" not in page and "<i>view</i>" not in page
    assert "&lt;i&gt;view&lt;/i&gt;" in page


@pytest.mark.parametrize("physics", [False, True])
def test_page_is_what_pyvis_writes(hostile_graph, physics):
    """to_pyvis_html renders pyvis's template itself (no Network, the template compiled once, its scripts included
    as text, the lists' JSON unsorted from dicts built in sorted key order): the page must be byte for byte what
    pyvis's own Network.generate_html writes for the same lists, including the "href" tooltip switch."""
    import json

    from pyvis.network import Network

    from graph.render import _pyvis_page

    G = hostile_graph.copy()
    G.add_node("linked", type="Company", name='<a href="javascript:alert(3)">x</a>', segments=["segment:reducers"])
    for graph in (hostile_graph, G):
        nodes, edges = vis_data(graph, chain_lanes(graph))
        options = {"physics": {"enabled": physics}, "edges": {"smooth": False}}
        net = Network(height="500px", width="100%", directed=True, cdn_resources="in_line", heading="")
        net.nodes, net.edges = nodes, edges
        net.set_options(json.dumps(options))
        assert _pyvis_page(nodes, edges, options, "500px") == net.generate_html()
    assert "div.popup" in _pyvis_page(*vis_data(G, chain_lanes(G)), options, "500px")  # the switch was on
    assert "div.popup" not in _pyvis_page(*vis_data(hostile_graph, chain_lanes(hostile_graph)), options, "500px")


def test_highlight_escapes_around_the_mark():
    assert highlight_html("<script>x</script> AgiBot", 19, 25) == \
        "&lt;script&gt;x&lt;/script&gt; <mark>AgiBot</mark>"


def test_chain_lanes_run_upstream_to_downstream(seed_graph):
    pos, lanes = chain_plan(seed_graph)
    assert set(pos) == set(seed_graph.nodes) == set(chain_lanes(seed_graph))
    span = {lane["id"]: (lane["x"], lane["x"] + lane["width"]) for lane in lanes}
    assert [lane["id"] for lane in lanes] == ["context", "upstream", "midstream", "downstream", "evidence"]
    for n, (px, _) in pos.items():
        lo, hi = span[lane_of(seed_graph, n)]
        assert lo <= px < hi
    assert lane_of(seed_graph, "segment:reducers") == "upstream"
    assert lane_of(seed_graph, "segment:complete_machines") == "midstream"


def test_force_layout_places_every_node(seed_graph):
    pos = force_layout(seed_graph)
    assert set(pos) == set(seed_graph.nodes)
    assert len({(round(x), round(y)) for x, y in pos.values()}) > seed_graph.number_of_nodes() * 0.9


def test_filters(seed_graph):
    only = filter_view(seed_graph, types=["Company"])
    assert {d["type"] for _, d in only.nodes(data=True)} == {"Company"}
    upstream = filter_view(seed_graph, stages=["upstream"], types=["Company"])
    assert 0 < upstream.number_of_nodes() < only.number_of_nodes()
    ups = {n for n, d in seed_graph.nodes(data=True) if d["type"] == "Segment" and d["stage"] == "upstream"}
    assert all(set(d["segments"]) & ups for _, d in upstream.nodes(data=True))
    inside = filter_view(seed_graph, types=["Company"], region="zhangjiang")
    assert "agibot" in inside and 0 < inside.number_of_nodes() < only.number_of_nodes()
    assert "doc:shanghai_embodied_ai_plan_ja" in seed_graph
    assert "doc:shanghai_embodied_ai_plan_ja" not in filter_view(seed_graph)
    assert not any(d["type"] == "Claim" for _, d in filter_view(seed_graph, show_claims=False).nodes(data=True))
    assert filter_view(seed_graph, types=["Company"], min_mentions=10 ** 6).number_of_nodes() == 0


@pytest.mark.parametrize("query", ["AgiBot", "agibot", "智元机器人", "智元機器人", "智元ロボット", "Zhiyuan Robotics"])
def test_search_by_any_alias(seed_graph, query):
    assert search_nodes(seed_graph, query)[0]["id"] == "agibot"


def test_node_details_group_neighbours_and_place_evidence(seed_graph):
    info = node_details(seed_graph, "agibot")
    assert any(k.startswith("LOCATED_IN") for k in info["neighbours"])
    for ev in info["evidence"]:
        assert ev["sentence_text"][ev["start"]:ev["end"]] == ev["quote"]
    assert info["conflicts"]


def test_cap_folds_the_rest_and_says_so():
    G = nx.MultiDiGraph()
    for i in range(3000):
        G.add_node(f"c{i}", type="Company", name=f"c{i}")
        G.add_edge(f"c{i}", f"s{i % 20}", type="IN_SEGMENT", method="roster")
    for i in range(20):
        G.add_node(f"s{i}", type="Segment", name=f"s{i}", stage="upstream")
    H, note = cap_view(G, cap=1000)
    folded = [d["folded"] for _, d in H.nodes(data=True) if "folded" in d]
    assert H.number_of_nodes() <= 1000 and sum(folded) + H.number_of_nodes() - len(folded) == 3020
    assert all(f"s{i}" in H for i in range(20))  # the hubs survive
    assert "2520 Company" in note
    top, note = cap_view(G, cap=100, mode="top")
    assert top.number_of_nodes() == 100 and "hidden" in note
    ego, note = cap_view(G, cap=50, mode="ego", focus="s3")
    assert "s3" in ego and ego.number_of_nodes() == 50 and "beyond the display cap" in note
    same, note = cap_view(G, cap=5000)
    assert same is G and note == ""


def test_cap_folds_firms_into_their_chain_segments(seed_graph):
    H, note = cap_view(seed_graph, cap=60)
    folded = {n: d for n, d in H.nodes(data=True) if "folded" in d}
    hidden = seed_graph.number_of_nodes() - (H.number_of_nodes() - len(folded))
    assert sum(d["folded"] for d in folded.values()) == hidden and f"the other {hidden}" in note
    by_segment = {n: d for n, d in folded.items() if n.startswith("folded:segment:")}
    assert by_segment and all(d["segments"] == [n.split(":", 2)[2]] for n, d in by_segment.items())
    assert set(chain_lanes(H)) == set(H)  # a folded group of upstream firms is drawn in the upstream lane
    for n, d in by_segment.items():
        assert lane_of(H, n) == seed_graph.nodes[d["segments"][0]]["stage"]


@pytest.mark.parametrize("fold_by", ["segment", "region", "type"])
def test_cap_fold_choices_account_for_every_node(seed_graph, fold_by):
    H, note = cap_view(seed_graph, cap=80, fold_by=fold_by)
    folded = {n: d["folded"] for n, d in H.nodes(data=True) if "folded" in d}
    assert H.number_of_nodes() <= 80
    assert sum(folded.values()) + H.number_of_nodes() - len(folded) == seed_graph.number_of_nodes()
    kinds = {n.split(":")[1] for n in folded}
    assert kinds <= {fold_by, "type"} and (fold_by == "type" or fold_by in kinds)
    if fold_by == "region":  # a folded firm sits in the group of a place it is located in
        for n in folded:
            if n.startswith("folded:region:"):
                assert seed_graph.nodes[n.split(":", 2)[2]]["type"] in ("Region", "Cluster")


def test_cap_top_by_mentions_keeps_the_most_mentioned(seed_graph):
    top, note = cap_view(seed_graph, cap=10, mode="top", rank_by="mentions")
    assert "shanghai" in top and "most-mentioned" in note
    floor = min(d.get("mentions", 0) for _, d in top.nodes(data=True))
    assert all(d.get("mentions", 0) <= floor for n, d in seed_graph.nodes(data=True) if n not in top)
    with pytest.raises(ValueError):
        cap_view(seed_graph, cap=10, fold_by="galaxy")
