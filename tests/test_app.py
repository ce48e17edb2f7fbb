"""The Streamlit page, driven by streamlit.testing.v1.AppTest (a real script run, no browser).

The drawings (chain map and network) are a custom component; AppTest cannot click in them, but it sees the data each
one is sent (``json_args``), so every widget's effect on the drawing is checked here; the clicks themselves are
checked in a real browser (test_browser.py).
"""

import json

import pytest
from streamlit.testing.v1 import AppTest

from conftest import ROOT

from graph.coverage import chain_coverage
from graph.render import ui
from graph.report import coverage_verdict, roster_what_if

APP = str(ROOT / "app.py")
# Two firms in two segments Zhangjiang does not cover on the bundled data (hypothetical names: a user's roster).
GOOD_ROSTER = ("name,name_zh,segments,region,source\n"
               "Test Hands Co,测试灵巧手,dexterous_hands,zhangjiang,user upload\n"
               "Test Sensors Co,测试传感器,sensors,zhangjiang,user upload\n").encode()
BAD_ROSTER = ("name,segments,region,source\n"
              "Nowhere Robotics,reducers,atlantis,user upload\n").encode()


def run_app():
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture(scope="module")
def app():
    return run_app()


def drawing(at) -> dict:
    """The spec the page sent to its drawing component (chain map or network)."""
    found = at.get("component_instance")
    assert found, "the page drew nothing: " + " | ".join(i.value for i in at.info)
    spec = json.loads(found[0].proto.json_args)["spec"]
    return json.loads(spec) if isinstance(spec, str) else spec  # sent as JSON text (see app.py)


def show(at, view):
    at.segmented_control(key="view").set_value(view).run()
    assert not at.exception, at.exception
    return at


def chips(spec) -> dict:
    return {f["id"]: f for st in spec["stages"] for s in st["segments"] for f in s["firms"]}


def inspector_title(at) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("### "))[4:].replace("\\", "")


def test_opens_on_the_chain_map_of_the_analysis_region(app, seed_graph):
    assert app.title[0].value == "Ecosystem Graph Explorer"
    assert app.segmented_control(key="view").value == "chain"
    assert app.selectbox(key="region").value == "zhangjiang"
    spec = drawing(app)
    card = chain_coverage(seed_graph, "zhangjiang")
    assert spec["mode"] == "chain" and [s["id"] for s in spec["stages"]] == ["upstream", "midstream", "downstream"]
    segments = {s["id"]: s for st in spec["stages"] for s in st["segments"]}
    assert len(segments) == card["segments_total"]
    for row in card["segments"]:  # the map and the scorecard agree, box by box
        s = segments[row["segment"]]
        assert s["status"] == ("uncovered" if not row["firms"] else "single" if len(row["firms"]) == 1 else "covered")
        assert {f["id"] for f in s["firms"]} <= set(row["firms"]) and len(s["firms"]) + s["more"] == len(row["firms"])
    assert "agibot" in chips(spec) and chips(spec)["agibot"]["label"] == "AgiBot"
    assert {chips(spec)[f]["origin"] for f in chips(spec)} <= {"catalogue", "roster", "discovered"}
    assert "13 of 23" in spec["title"] or f"{card['segments_covered']} of {card['segments_total']}" in spec["title"]
    assert any("Click a firm" in i.value for i in app.info)  # the inspector waits for a click


def test_region_and_language_redraw_the_map():
    at = run_app()
    at.selectbox(key="region").set_value("shanghai").run()
    spec = drawing(at)
    assert "Shanghai" in spec["title"]
    assert sum(len(s["firms"]) + s["more"] for st in spec["stages"] for s in st["segments"]) > \
        sum(len(s["firms"]) + s["more"] for st in drawing(run_app())["stages"] for s in st["segments"])
    at.radio(key="language").set_value("中文").run()
    spec = drawing(at)
    assert spec["stages"][0]["name"] == "上游：核心零部件"
    assert at.title[0].value == ui("app_title", "中文")
    assert [ui("view_" + v, "中文") for v in ("chain",)] == ["产业链图谱"]
    assert "legend" in spec and spec["legend"][0]["text"] == ui("legend_catalogue", "中文")


def test_selected_firm_and_segment_open_in_the_inspector(seed_graph):
    at = run_app()
    at.session_state["selected"] = {"kind": "node", "id": "agibot"}  # what a click on the AgiBot chip sets
    at.run()
    assert inspector_title(at) == "AgiBot"
    spec = drawing(at)
    assert spec["selected"] == "agibot" and "segment:complete_machines" in spec["highlight_segments"]
    relations = next(df.value for df in at.dataframe if "relation" in df.value.columns)
    assert not relations.duplicated(["relation", "name"]).any()  # one row per relation, methods merged
    assert "located in" in set(relations["relation"]) and "LOCATED_IN" not in set(relations["relation"])
    warning = " ".join(w.value for w in at.warning)
    assert "Lingang New Area" in warning and "Zhangjiang / Zhangjiang" not in warning
    marks = [h.proto.body for h in at.get("html") if "<mark>" in h.proto.body]
    assert marks and len(marks) == len({m for m in marks})  # each sentence once
    at.session_state["selected"] = {"kind": "segment", "id": "segment:complete_machines"}
    at.run()
    assert inspector_title(at) == "Complete machines"
    firms = next(df.value for df in at.dataframe if "where" in df.value.columns)
    row = next(r for r in chain_coverage(seed_graph, "zhangjiang")["segments"]
               if r["segment"] == "segment:complete_machines")
    assert sorted(firms["name"]) == sorted(seed_graph.nodes[f].get("name_en") or seed_graph.nodes[f]["name"]
                                           for f in row["firms"])


def test_search_lists_matches_and_the_pick_is_selected_and_centred():
    at = run_app()
    at.text_input(key="search").input("智元").run()
    picks = at.radio(key="pick")
    assert set(picks.options) >= {"AgiBot · company", "AgiBot World · dataset"}
    assert inspector_title(at) == "AgiBot"
    picks.set_value("agibot_world").run()
    assert inspector_title(at) == "AgiBot World"
    show(at, "network")
    spec = drawing(at)
    assert spec["selected"] == "agibot_world" and spec["focus"] == "agibot_world"
    at.toggle(key="ego").set_value(True).run()
    ego = drawing(at)
    assert "agibot_world" in {n["id"] for n in ego["nodes"]} and len(ego["nodes"]) < len(spec["nodes"])
    at.radio(key="language").set_value("日本語").run()
    assert inspector_title(at) == "AgiBot World" and at.title[0].value == ui("app_title", "日本語")


def test_search_without_match_says_so():
    at = run_app()
    at.text_input(key="search").input("no such firm").run()
    assert any("Nothing is called" in i.value for i in at.sidebar.info)
    assert not at.exception


def test_network_filters_are_focused(seed_graph):
    at = show(run_app(), "network")
    spec = drawing(at)
    kinds = {n["id"]: seed_graph.nodes[n["id"]]["type"] for n in spec["nodes"]}
    assert spec["mode"] == "network" and not {"Claim", "Document", "Region"} & set(kinds.values())
    assert [lane["title"] for lane in spec["lanes"]] == [  # places join only when asked
        "Upstream: core components", "Midstream: brain, cerebellum, body and complete machines",
        "Downstream: application scenes"]
    assert all(n["text"] and len(n["text"]) <= 27 for n in spec["nodes"])
    at.multiselect(key="stages").set_value(["upstream"]).run()
    up = drawing(at)
    orgs = [n for n in up["nodes"] if seed_graph.nodes[n["id"]]["type"] in ("Company", "Institution")]
    ups = {n for n, d in seed_graph.nodes(data=True) if d["type"] == "Segment" and d["stage"] == "upstream"}
    assert orgs and all(set(seed_graph.nodes[n["id"]]["segments"]) & ups for n in orgs)
    assert {seed_graph.nodes[n["id"]]["type"] for n in up["nodes"]} <= {"Company", "Institution", "Segment",
                                                                          "Stage", "Platform", "Product", "Dataset",
                                                                          "Scene", "TechDirection"}
    assert len(up["lanes"]) == 1  # only the upstream lane has nodes
    at.multiselect(key="stages").set_value([]).run()
    at.toggle(key="region_only").set_value(True).run()
    inside = drawing(at)
    in_orgs = {n["id"] for n in inside["nodes"] if seed_graph.nodes[n["id"]]["type"] in ("Company", "Institution")}
    assert in_orgs == set(chain_coverage(seed_graph, "zhangjiang")["firms"])
    at.toggle(key="claims").set_value(True).run()
    with_claims = drawing(at)
    assert any(seed_graph.nodes[n["id"]]["type"] == "Claim" for n in with_claims["nodes"])
    at.toggle(key="places").set_value(True).run()
    assert any(seed_graph.nodes[n["id"]]["type"] == "Region" for n in drawing(at)["nodes"])
    at.toggle(key="documents").set_value(True).run()
    assert any(seed_graph.nodes[n["id"]]["type"] == "Document" for n in drawing(at)["nodes"])


def test_drawing_options_change_the_drawing(seed_graph):
    at = show(run_app(), "network")
    base = drawing(at)
    at.radio(key="layout").set_value("force-directed").run()
    assert drawing(at)["lanes"] == [] and drawing(at)["key"] != base["key"]
    at.radio(key="size_by").set_value("mentions").run()
    sizes = {n["id"]: n["size"] for n in drawing(at)["nodes"]}
    assert sizes != {n["id"]: n["size"] for n in base["nodes"]}
    at.toggle(key="physics").set_value(True).run()
    assert drawing(at)["physics"] is True
    at.multiselect(key="types").set_value(["Company"]).run()
    assert {seed_graph.nodes[n["id"]]["type"] for n in drawing(at)["nodes"]} == {"Company"}
    at.slider(key="min_mentions").set_value(2).run()
    assert all(seed_graph.nodes[n["id"]].get("mentions", 0) >= 2 for n in drawing(at)["nodes"])


def test_display_cap_and_what_happens_above_it():
    at = show(run_app(), "network")
    at.number_input(key="cap").set_value(50).run()
    assert "folding the other" in at.warning[0].value and "one per chain segment" in at.warning[0].value
    assert len(drawing(at)["nodes"]) <= 50
    at.selectbox(key="above_cap").set_value("fold_region").run()
    assert "one per region" in at.warning[0].value
    at.selectbox(key="above_cap").set_value("top_mentions").run()
    assert "most-mentioned" in at.warning[0].value.replace("\\", "") and len(drawing(at)["nodes"]) == 50


def test_coverage_says_its_verdict_first(seed_graph):
    at = show(run_app(), "coverage")
    card = chain_coverage(seed_graph, "zhangjiang")
    verdict = coverage_verdict(card)
    assert at.markdown[0].value.replace("\\", "") == "#### " + verdict
    assert verdict.startswith("The text states about 60%; the graph supports at least 56.5% (13 of 23 segments)")
    assert at.markdown[1].value.replace("\\", "") == roster_what_if(card)
    gaps = " ".join(m.value for m in at.markdown if m.value.startswith("- **"))
    assert "Sensors" in gaps and "Reducers" in gaps
    assert at.get("download_button")  # the gaps as CSV
    assert at.get("vega_lite_chart")
    at.radio(key="language").set_value("中文").run()
    assert at.markdown[0].value.replace("\\", "") == "#### " + coverage_verdict(card, "中文")


def test_claims_for_people(seed_graph):
    at = show(run_app(), "claims")
    table = at.dataframe[0].value
    assert list(table.columns)[:3] == ["disputed", "what", "value"]
    assert "None" not in table.astype(str).values and "nan" not in table.astype(str).values
    assert not table["what"].str.contains("_").any()
    models = table[table["what"] == "Registered large models"].iloc[0]
    assert models["disputed"] and models["value"] == "82 models" and models["other source says"].startswith("66 models")
    assert not table["sentence or source"].str.contains(r"\.\./|\.md", regex=True).any()


def test_good_roster_upload_changes_coverage(seed_graph):
    at = run_app()
    at.file_uploader(key="rosters").set_value(("more.csv", GOOD_ROSTER, "text/csv")).run()
    assert not at.exception and not at.error
    show(at, "coverage")
    before = chain_coverage(seed_graph, "zhangjiang")["measured_share"]
    after = before + 2 / 23
    effect = next(m.value for m in at.markdown if "uploaded rosters move" in m.value).replace("\\", "")
    assert f"{before:.1%} to {after:.1%}" in effect
    assert "Test Hands Co" in effect and "Test Sensors Co" in effect
    show(at, "chain")
    assert {"Test Hands Co", "Test Sensors Co"} <= {f["label"] for f in chips(drawing(at)).values()}


def test_bad_roster_upload_shows_errors_and_the_app_keeps_working(seed_graph):
    at = run_app()
    at.file_uploader(key="rosters").set_value(("bad.csv", BAD_ROSTER, "text/csv")).run()
    assert not at.exception
    message = at.error[0].value.replace("\\", "")  # shown with Markdown escapes
    assert message.startswith("bad.csv:2: field 'region'") and "atlantis" in message and "zhangjiang" in message
    assert f"{seed_graph.number_of_nodes():,} nodes" in at.caption[0].value
    assert drawing(at)["stages"]


def test_document_upload_adds_its_mentions(seed_graph):
    at = run_app()
    text = "AgiBot and Fourier opened a joint lab in Zhangjiang.".encode()
    at.file_uploader(key="docs").set_value(("note.txt", text, "text/plain")).run()
    assert not at.exception and not at.error
    assert f"Built from {len(seed_graph.graph['documents']) + 1} document" in at.caption[0].value


def test_start_arguments_load_a_roster(tmp_path, monkeypatch, seed_graph):
    roster = tmp_path / "national.csv"
    roster.write_bytes(GOOD_ROSTER)
    monkeypatch.setattr("sys.argv", [APP, "--roster", str(roster)])  # as `streamlit run app.py -- --roster ...`
    at = run_app()
    orgs = sum(1 for _, d in seed_graph.nodes(data=True) if d["type"] in ("Company", "Institution"))
    assert f"{orgs + 2:,} organisations" in at.caption[0].value
    monkeypatch.setattr("sys.argv", [APP, "--roster", str(tmp_path / "missing.csv")])
    at = run_app()
    assert "missing.csv" in at.error[0].value.replace("\\", "") and not at.exception


def test_export_offers_every_format_and_the_view():
    at = show(run_app(), "export")
    labels = [b.proto.label for b in at.get("download_button")]
    assert sorted(labels) == sorted(["GraphML", "GEXF", "Node-link JSON", "Nodes CSV", "Edges CSV",
                                     "Current view (HTML, offline)"])


# A firm no file in data/ names, with a legal suffix, so discovery finds it (suffix_legal, confidence 0.93).
NEW_FIRM = "深圳市星海图智能科技有限公司"
NEW_FIRM_DOC = (f"{NEW_FIRM}在张江发布了新一代灵巧手产品。{NEW_FIRM}与智元机器人签署合作协议。").encode()


def offered_files(monkeypatch) -> list:
    """Records the bytes of every file the page offers for download (AppTest keeps them in a throwaway store)."""
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    offered, original = [], MemoryMediaFileStorage.load_and_get_id

    def record(self, path_or_data, mimetype, kind, filename=None):
        offered.append((filename, path_or_data))
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    return offered


def test_review_confirms_a_discovered_firm_as_a_roster_entry(monkeypatch):
    from graph import build_graph
    from loaders.catalogue import load_catalogue
    from loaders.rosters import parse_roster_bytes

    offered = offered_files(monkeypatch)
    at = run_app()
    at.file_uploader(key="docs").set_value(("star.txt", NEW_FIRM_DOC, "text/plain")).run()
    assert not at.exception and not at.error
    show(at, "discovered")
    table = at.dataframe[0].value  # the review editor
    row = table[table["name"] == NEW_FIRM].iloc[0]
    assert row["confirm"] and row["kind"] == "company" and row["found by"] == "suffix_legal"
    assert row["confidence"] >= 0.9 and row["first sentence found in"].startswith(NEW_FIRM)
    assert any(h.value.startswith(f"<mark>{NEW_FIRM}</mark>") for h in at.get("html"))  # its evidence, escaped
    button = next(b for b in at.get("download_button") if "as a roster" in b.proto.label)
    assert not button.proto.disabled and "Download the " in button.proto.label
    roster = [data for name, data in offered if name == "reviewed-roster.csv"][-1]
    rows = parse_roster_bytes(roster, load_catalogue(), "reviewed-roster.csv")
    assert NEW_FIRM in [r.name for r in rows]
    firm = next(r for r in rows if r.name == NEW_FIRM)
    assert firm.quote == NEW_FIRM and "suffix_legal" in firm.note
    # Loaded back as a roster, the firm is a roster entity, no longer a discovery.
    G = build_graph(rosters=[rows], bundled=False)
    assert [d["origin"] for _, d in G.nodes(data=True) if d.get("name") == NEW_FIRM] == ["roster"]
    # Raising the threshold above its confidence unticks it: nothing to download.
    at.slider(key="review_threshold").set_value(1.0).run()
    button = next(b for b in at.get("download_button") if "as a roster" in b.proto.label)
    assert button.proto.disabled and "the 0 confirmed" in button.proto.label
    for language in ("中文", "日本語"):  # every column has its own name in each language
        at.radio(key="language").set_value(language).run()
        assert not at.exception and NEW_FIRM in list(at.dataframe[0].value.iloc[:, 2])


def test_same_roster_twice_counts_once(seed_graph):
    at = run_app()
    at.file_uploader(key="rosters").set_value([("a.csv", GOOD_ROSTER, "text/csv"),
                                               ("b.csv", GOOD_ROSTER, "text/csv")]).run()
    assert not at.exception and not at.error
    assert "b.csv: same content as a.csv; counted once" in [w.value.replace("\\", "") for w in at.warning]
    orgs = sum(1 for _, d in seed_graph.nodes(data=True) if d["type"] in ("Company", "Institution"))
    caption = at.caption[0].value.replace("\\", "")
    rosters = len(seed_graph.graph.get("rosters", [])) + 1  # the bundled ones and this one, once
    assert f"{orgs + 2:,} organisations" in caption and f"and {rosters} roster(s)" in caption


def test_roster_control_character_is_cleaned_with_a_warning():
    at = run_app()
    roster = GOOD_ROSTER.replace(b"Test Hands Co,", b"Test Hands\x07 Co,")
    from loaders.clean import InputWarning

    with pytest.warns(InputWarning, match="bell.csv:2: field 'name'"):  # the CLI's warning, too
        at.file_uploader(key="rosters").set_value(("bell.csv", roster, "text/csv")).run()
    assert not at.exception and not at.error
    warnings = [w.value.replace("\\", "") for w in at.warning]
    assert any(w.startswith("bell.csv:2: field 'name'") for w in warnings), warnings
    assert "Test Hands Co" in {f["label"] for f in chips(drawing(at)).values()}


def test_empty_document_upload_shows_the_error_in_place(seed_graph):
    at = run_app()
    at.file_uploader(key="docs").set_value(("blank.txt", b" \n\t \n", "text/plain")).run()
    assert not at.exception
    message = at.sidebar.error[0].value.replace("\\", "")
    assert message.startswith("blank.txt") and "empty" in message
    assert f"{seed_graph.number_of_nodes():,} nodes" in at.caption[0].value
    assert drawing(at)["stages"]


def test_a_restart_draws_the_kept_first_page_while_the_graph_loads(tmp_path, monkeypatch):
    """Second start on the same inputs: the first page comes from what the first start kept beside the graph's cache
    entry (same key), before the graph is read; it says the rest is loading, then the page runs on the whole graph."""
    import streamlit as st

    monkeypatch.setenv("ECOSYSTEM_GRAPH_CACHE", str(tmp_path / "cache"))
    st.cache_resource.clear()
    first = run_app()  # builds, stores the graph and keeps its first page beside it
    assert first.get("progress") == [] and any("Network filters" in h.value for h in first.sidebar.header)
    st.cache_resource.clear()  # a new server process
    reruns = []
    stop = st.stop
    monkeypatch.setattr(st, "rerun", lambda: (reruns.append(1), stop()))  # end on the first page, to look at it
    lite = run_app()
    assert reruns == [1]
    assert drawing(lite) == drawing(first)  # the same chain map, box by box
    assert lite.selectbox(key="region").value == "zhangjiang" and lite.title[0].value == first.title[0].value
    assert lite.caption[0].value == first.caption[0].value  # the header's figures
    assert not any("Network filters" in h.value for h in lite.sidebar.header)  # they wait for the graph
    assert any("Filters appear when the graph has loaded" in c.value for c in lite.sidebar.caption)
    monkeypatch.undo()
    st.cache_resource.clear()
