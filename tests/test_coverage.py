import json
import subprocess
import sys

import pytest

from conftest import ROOT
from graph import build_graph
from graph.coverage import UnknownRegion, chain_coverage, coverage_diff, firm_segments, what_if
from loaders.text import document_from_text

SEED_FIRMS = {"national_local_humanoid_center", "agibot", "fourier", "kepler", "ant_lingbo", "leaderdrive"}


@pytest.fixture(scope="module")
def card(seed_graph):
    return chain_coverage(seed_graph, "Zhangjiang")


def test_stated_share_comes_from_the_seed_sentence(card):
    assert card["stated_share"] == 0.6
    st = card["stated"][0]
    assert st["quote"] == "約60%" and "産業チェーンの約60%をカバー" in st["sentence_text"]
    assert card["firms_stated"]["value"] == 70 and card["firms_stated"]["qualifier"] == "at_least"
    assert card["makers_suppliers_stated"]["value"] == 50


def test_measured_share_is_covered_segments_over_the_taxonomy(card, seed_graph, catalogue):
    total = len(catalogue.segments())
    assert card["segments_total"] == total
    assert card["measured_share"] == pytest.approx(card["segments_covered"] / total)
    assert card["measured_share_text_only"] == pytest.approx(card["segments_covered_text_only"] / total)
    assert set(card["covered"]) | set(card["uncovered"]) == {e.id for e in catalogue.segments()}
    assert card["gap_pp"] == pytest.approx(round((0.6 - card["measured_share"]) * 100, 1))
    # texts alone: the six firms the seed places in Zhangjiang, and the segments the catalogue gives them
    expected = set()
    for f in SEED_FIRMS:
        expected |= firm_segments(seed_graph, f, "text")
    assert {r["segment"] for r in card["segments"] if r["covered_text_only"]} == expected
    assert "segment:reducers" in expected and "segment:sensors" not in expected
    assert card["firms_known_text_only"] == 6 and card["firms_known"] > 6


def test_single_firm_and_stage_breakdown(card):
    rows = {r["segment"]: r for r in card["segments"]}
    assert "segment:reducers" in card["single_firm"] and rows["segment:reducers"]["firms"] == ["leaderdrive"]
    assert sum(v["segments_total"] for v in card["by_stage"].values()) == card["segments_total"]
    assert set(card["by_stage"]) == {"upstream", "midstream", "downstream"}


def test_conflicting_locations_are_listed_with_sources(card):
    ld = next(c for c in card["conflicts"] if c["firm"] == "leaderdrive")
    places = {s["place"]: s for s in ld["statements"]}
    assert places["zhangjiang"]["evidence"][0]["doc"] == "shanghai_embodied_ai_plan_ja"
    assert "shine.cn" in places["minhang"]["sources"][0]["source"]
    assert "segment:reducers" in [r["segment"] for r in card["segments"] if "leaderdrive" in r["conflicted_firms"]]
    assert card["measured_share_without_conflicts"] < card["measured_share"]


def test_a_roster_filling_two_uncovered_segments(tmp_path, card):
    roster = tmp_path / "more.csv"
    roster.write_text("name,segments,region,source\n"
                      "Acme Sensors,sensors,张江,https://example.org/acme\n"
                      "Beta Batteries,电池与电源,Zhangjiang,https://example.org/beta\n", encoding="utf-8")
    result = what_if(build_graph(), build_graph(rosters=[roster]), "Zhangjiang")
    after = result["after"]
    assert after["measured_share"] == pytest.approx(card["measured_share"] + 2 / card["segments_total"])
    closed = {c["segment"]: c["firm_names"] for c in result["diff"]["closed"]}
    assert closed == {"segment:sensors": ["Acme Sensors"], "segment:batteries_power": ["Beta Batteries"]}


def test_weights_move_the_share_by_exactly_the_segment_weight(seed_graph, card):
    weighted = chain_coverage(seed_graph, "Zhangjiang", weights={"sensors": 3.0})
    total = card["segments_total"] - 1 + 3.0
    assert weighted["measured_share"] == pytest.approx(card["segments_covered"] / total)


def test_a_text_stating_70_percent_changes_the_stated_share():
    doc = document_from_text("張江エリアには70社以上が集積し、産業チェーンの約70%をカバーしている。", "other")
    G = build_graph(docs=[doc], bundled=False)
    card = chain_coverage(G, "zhangjiang")
    assert card["stated_share"] == 0.7
    assert card["stated"][0]["quote"] == "約70%"


def test_cards_maps_and_members_are_the_same_once_the_indexes_are_made():
    from graph.chainmap import chain_map, known_rank, segment_members
    from graph.coverage import READINGS, known_regions, segment_firms, segment_index

    G = build_graph()  # its own graph: the indexes are made for it below
    regions = [r["id"] for r in known_regions(G)]

    def everything():
        out = {}
        for r in regions:
            card = chain_coverage(G, r)
            out[r] = (card, chain_map(G, r), segment_firms(G, r),
                      [segment_members(G, row["segment"], card) for row in card["segments"]])
        return out

    read_from_edges = everything()
    index = segment_index(G)
    known_rank(G)
    assert everything() == read_from_edges
    orgs = list(index["all"])  # every organisation of the graph
    assert orgs and all(index[r][f] == firm_segments(G, f, r) for f in orgs for r in READINGS)
    assert any(index["all"][f] != index["text"][f] for f in orgs)  # the text reading leaves roster rows out


def test_region_with_no_firms(seed_graph):
    card = chain_coverage(seed_graph, "宝山区")
    assert card["region"] == "baoshan"
    assert card["measured_share"] == 0 and card["segments_covered"] == 0 and card["stated_share"] is None
    assert "No firm is located in Baoshan" in card["note"]


def test_unknown_region(seed_graph):
    with pytest.raises(UnknownRegion, match="Zhangjiang"):
        chain_coverage(seed_graph, "Atlantis")


def test_coverage_diff_names_added_firms():
    before = {"measured_share": 0.5, "segments": [{"segment": "a", "firms": ["x"]}, {"segment": "b", "firms": []}]}
    after = {"measured_share": 1.0, "segments": [{"segment": "a", "firms": ["x", "y"], "firm_names": ["X", "Y"]},
                                                 {"segment": "b", "firms": ["y"], "firm_names": ["Y"]}]}
    d = coverage_diff(before, after)
    assert d["closed"] == [{"segment": "b", "firms": ["y"], "firm_names": ["Y"]}]
    assert d["added_to_covered"] == [{"segment": "a", "firms": ["y"], "firm_names": ["Y"]}]


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "graph", "coverage", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def test_cli_json_keys(card):
    r = _cli("--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    for key in ("region", "stated_share", "measured_share", "measured_share_text_only", "segments_total",
                "segments_covered", "covered", "uncovered", "single_firm", "firms_stated", "firms_known",
                "conflicts", "evidence"):
        assert key in out
    assert out["measured_share"] == pytest.approx(card["measured_share"])


def test_cli_table_and_bad_region():
    r = _cli("--region", "張江")
    assert r.returncode == 0 and "stated share      60.0%" in r.stdout and "denominator" in r.stdout
    r = _cli("--region", "Atlantis")
    assert r.returncode == 2 and "known regions" in r.stderr and "Zhangjiang" in r.stderr
