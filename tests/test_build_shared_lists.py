"""Roster fact edges and unmentioned nodes share their empty evidence list and a row's [source] (graph/build.py);
nothing grows a shared list, so sharing is invisible in the graph's values."""

from graph.build import _Edges, build_graph
from loaders.records import Fact, Source


def test_shared_fact_lists_are_replaced_not_grown():
    """Roster fact edges share the build's empty evidence list and one [source] per row; adding evidence or a source
    to one of them gives it a list of its own and leaves the others as they were."""
    edges = _Edges()
    row1, row2, row3 = Source("row 1"), Source("row 2"), Source("row 3")
    edges.add_facts("a", [Fact("s", "roster", row1), Fact("p", "roster", row1)], "IN_SEGMENT")
    edges.add_facts("b", [Fact("s", "roster", row2)], "IN_SEGMENT")
    a_s, a_p, b_s = (edges.items[u, v, "IN_SEGMENT", "roster", ""] for u, v in [("a", "s"), ("a", "p"), ("b", "s")])
    assert a_s["evidence"] is a_p["evidence"] is b_s["evidence"] is edges.empty
    assert a_s["sources"] is a_p["sources"] and a_s["sources"] == [row1.to_dict()]
    ev = {"doc": "d", "sentence": 0, "start": 0, "end": 1, "quote": "A"}
    edges.add("a", "s", "IN_SEGMENT", "roster", evidence=[ev], sources=[{"source": "other"}])
    edges.add_facts("a", [Fact("p", "roster", row3)], "IN_SEGMENT")
    assert a_s["evidence"] == [ev] and a_s["sources"] == [row1.to_dict(), {"source": "other"}] and a_s["weight"] == 2
    assert a_p["evidence"] == [] and a_p["sources"] == [row1.to_dict(), row3.to_dict()] and a_p["weight"] == 2
    assert b_s["evidence"] == [] == edges.empty and b_s["sources"] == [row2.to_dict()]


def test_a_build_grows_no_shared_list(tmp_path):
    """A roster firm a document mentions gets evidence of its own; the others keep the shared empty list, still empty."""
    roster = tmp_path / "r.csv"
    roster.write_text("name,name_zh,segments,region,source\n"
                      "\"Acme Robotics Co., Ltd.\",阿克米机器人科技有限公司,reducers,Minhang,https://example.org/a\n"
                      "\"Zeta Motion Co., Ltd.\",泽塔运动科技有限公司,sensors,Pudong,https://example.org/b\n",
                      encoding="utf-8")
    doc = tmp_path / "d.zh.txt"
    doc.write_text("阿克米机器人科技有限公司在闵行新建减速器产线。\n", encoding="utf-8")
    G = build_graph(docs=[str(doc)], rosters=[str(roster)], bundled=False)
    acme, zeta = (next(n for n, d in G.nodes(data=True) if d.get("name_zh") == zh) for zh in ("阿克米机器人科技有限公司", "泽塔运动科技有限公司"))
    assert G.nodes[acme]["evidence"] and G.nodes[acme]["mentions"] == len(G.nodes[acme]["evidence"])
    assert G.nodes[zeta]["evidence"] == []
    empty = [d["evidence"] for _, _, d in G.edges(data=True) if d["method"] == "roster"]
    assert empty and all(e == [] for e in empty)
    assert all(e is empty[0] for e in empty)  # one list, shared, still empty
