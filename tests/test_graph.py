import networkx as nx
import pytest

from graph import build_graph, read_graph, to_frames, write_graph
from loaders.text import document_from_text

SEED_ENTITIES = ["zhangjiang", "pudong", "shanghai", "agibot", "fourier", "kepler", "ant_lingbo", "leaderdrive",
                 "national_local_humanoid_center", "qinglong", "saic_yanfeng", "minimax", "stepfun", "agibot_world",
                 "platform_compute", "platform_training_ground", "platform_pilot", "platform_investment",
                 "platform_leasing", "perception_decision_models", "motion_control_models", "embodied_system_tech",
                 "embodied_corpus_tech", "self_developed_os", "scene_commercial", "scene_sports", "scene_culture",
                 "scene_entertainment", "scene_material_handling", "scene_logistics_assembly",
                 "scene_industrial_manufacturing", "scene_commercial_retail", "scene_healthcare", "scene_household",
                 "shanghai_embodied_ai_plan", "heterogeneous_robot_dataset"]


@pytest.mark.parametrize("node", SEED_ENTITIES)
def test_seed_entities_are_in_the_graph_with_evidence(seed_graph, node):
    d = seed_graph.nodes[node]
    assert d["mentions"] >= 1 and d["evidence"]
    assert d["name_en"] and d["name_zh"] and d["name_ja"]
    assert any(ev["doc"] == "shanghai_embodied_ai_plan_ja" for ev in d["evidence"])


def _all_evidence(G):
    for _, d in G.nodes(data=True):
        yield from d.get("evidence", [])
    for *_, d in G.edges(data=True):
        yield from d.get("evidence", [])


def test_every_quote_equals_the_document_text_at_its_span(seed_graph):
    texts = seed_graph.graph["document_texts"]
    n = 0
    for ev in _all_evidence(seed_graph):
        doc = texts[ev["doc"]]
        assert doc["text"][ev["start"]:ev["end"]] == ev["quote"]
        s, e = doc["sentences"][ev["sentence"]]
        assert s <= ev["start"] and ev["end"] <= e
        n += 1
    assert n > 300


def test_edges_follow_the_schema(seed_graph, catalogue):
    schema = catalogue.schema
    for u, v, d in seed_graph.edges(data=True):
        spec = schema["edge_types"][d["type"]]
        assert seed_graph.nodes[u]["type"] in spec["sources"], (u, d["type"], v)
        assert seed_graph.nodes[v]["type"] in spec["targets"], (u, d["type"], v)
        assert d["method"] in schema["methods"]
        # document-derived edges carry evidence, data-derived edges carry their source
        if d["method"] in ("rule", "co_mention", "mention"):
            assert d["evidence"], (u, d["type"], v)
        else:
            assert d["sources"], (u, d["type"], v)
    for _, d in seed_graph.nodes(data=True):
        assert d["type"] in schema["node_types"]


def test_relations_from_the_seed(seed_graph):
    G = seed_graph

    def has(u, t, v, method="rule"):
        return any(d["type"] == t and d["method"] == method for d in G.get_edge_data(u, v, default={}).values())

    for firm in ("agibot", "fourier", "kepler", "ant_lingbo", "leaderdrive", "national_local_humanoid_center"):
        assert has(firm, "LOCATED_IN", "zhangjiang")
    assert has("national_local_humanoid_center", "DEVELOPS", "qinglong")
    assert has("qinglong", "DEPLOYED_AT", "saic_yanfeng")
    assert has("kepler", "SERVES_SCENE", "scene_logistics_assembly")
    assert has("agibot", "SERVES_SCENE", "scene_sports")
    assert has("zhangjiang", "PART_OF", "pudong", "curated") and has("pudong", "PART_OF", "shanghai", "curated")
    assert has("segment:reducers", "PART_OF", "stage:upstream", "taxonomy")
    assert has("leaderdrive", "IN_SEGMENT", "segment:reducers", "curated")


def test_conflicting_locations_are_kept_and_marked(seed_graph):
    G = seed_graph
    located = {(v, d["method"]): d for _, v, d in G.out_edges("leaderdrive", data=True) if d["type"] == "LOCATED_IN"}
    assert located[("zhangjiang", "rule")]["conflict"] is True
    assert located[("zhangjiang", "rule")]["evidence"][0]["doc"] == "shanghai_embodied_ai_plan_ja"
    assert located[("minhang", "roster")]["conflict"] is True
    assert "shine.cn" in located[("minhang", "roster")]["sources"][0]["source"]
    conflict = G.nodes["leaderdrive"]["conflicts"][0]
    assert {s["place"] for s in conflict["statements"]} == {"zhangjiang", "minhang"}
    assert any(c["entity"] == "leaderdrive" for c in G.graph["conflicts"])
    # a place inside another is not a conflict
    assert not G.nodes["pudong_embodied_ai_cluster"].get("conflicts")


def test_disputes_from_other_sources(seed_graph):
    G = seed_graph
    seed82 = next(n for n, d in G.nodes(data=True) if d.get("metric") == "registered_model_count" and d.get("evidence"))
    disputing = [u for u, _, d in G.in_edges(seed82, data=True) if d["type"] == "DISPUTES"]
    assert disputing == ["claim:dispute:registered_models_csdn"]
    assert G.nodes[disputing[0]]["value"] == 66


def test_co_mentions_have_weights(seed_graph):
    w = [d["weight"] for u, v, d in seed_graph.edges(data=True) if d["type"] == "CO_MENTIONED"]
    assert w and all(x >= 1 for x in w)
    d = next(d for u, v, d in seed_graph.edges(data=True)
             if d["type"] == "CO_MENTIONED" and {u, v} == {"agibot", "zhangjiang"})
    assert d["weight"] == len(d["evidence"]) >= 1


def test_no_bundled_uses_catalogue_only(tmp_path):
    G = build_graph(bundled=False)
    assert "agibot" in G and G.nodes["agibot"]["mentions"] == 0
    assert not any(d["type"] == "Document" for _, d in G.nodes(data=True))
    assert "droidup" not in G  # only in the bundled roster


def test_documents_as_objects_and_duplicate_ids():
    from loaders.errors import InputError

    doc = document_from_text("Fourier Intelligence is based in Zhangjiang.", "note")
    G = build_graph(docs=[doc], bundled=False)
    assert any(d["type"] == "LOCATED_IN" for d in G.get_edge_data("fourier", "zhangjiang").values())
    with pytest.raises(InputError, match="two documents"):
        build_graph(docs=[doc, doc], bundled=False)


def _comparable(G):
    nodes = {n: {k: v for k, v in d.items() if v is not None} for n, d in G.nodes(data=True)}
    edges = {(u, v, k): {a: b for a, b in d.items() if b is not None} for u, v, k, d in G.edges(keys=True, data=True)}
    return nodes, edges


@pytest.mark.parametrize("ext", ["graphml", "gexf", "json"])
def test_round_trip(seed_graph, tmp_path, ext):
    path = write_graph(seed_graph, tmp_path / f"g.{ext}")
    H = read_graph(path)
    assert isinstance(H, nx.MultiDiGraph)
    n1, e1 = _comparable(seed_graph)
    n2, e2 = _comparable(H)
    if ext != "json":  # label is added for Gephi
        for d in n2.values():
            d.pop("label", None)
        for d in n1.values():
            d.pop("label", None)
    assert n1 == n2
    assert e1 == e2


def test_graphml_declares_typed_keys(seed_graph, tmp_path):
    text = write_graph(seed_graph, tmp_path / "g.graphml").read_text(encoding="utf-8")
    assert 'for="node" attr.name="mentions" attr.type="int"' in text
    assert 'for="node" attr.name="value" attr.type="double"' in text
    assert 'for="edge" attr.name="conflict" attr.type="boolean"' in text
    assert 'for="node" attr.name="aliases" attr.type="string"' in text


def test_frames(seed_graph):
    nodes, edges = to_frames(seed_graph)
    assert len(nodes) == seed_graph.number_of_nodes() and len(edges) == seed_graph.number_of_edges()
    assert {"id", "type", "name", "name_zh", "mentions", "evidence"} <= set(nodes.columns)
    assert {"source", "target", "key", "type", "method", "weight"} <= set(edges.columns)
    aliases = nodes.loc[nodes["id"] == "agibot", "aliases"].iloc[0]
    assert isinstance(aliases, list) and "Zhiyuan Robotics" in aliases
