"""The Streamlit page, driven by streamlit.testing.v1.AppTest (a real script run, no browser)."""

import pytest
from streamlit.testing.v1 import AppTest

from conftest import ROOT

from graph.coverage import chain_coverage

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


def drawn(at) -> int:
    """Nodes drawn in the Graph tab, read from its caption."""
    for c in at.caption:
        if c.value.endswith("drag to pan, scroll to zoom."):
            return int(c.value.split()[0])
    raise AssertionError("the graph tab drew nothing: " + " | ".join(i.value for i in at.info))


def test_runs_on_bundled_data(app, seed_graph):
    assert app.title[0].value == "Ecosystem Graph Explorer"
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Nodes"] == str(seed_graph.number_of_nodes())
    assert metrics["Edges"] == str(seed_graph.number_of_edges())
    assert [t.label for t in app.tabs] == ["Graph", "Inspector", "Coverage", "Claims", "Export"]
    assert drawn(app) == sum(1 for _, d in seed_graph.nodes(data=True) if d["type"] != "Document")
    assert not app.error


def test_coverage_tab_shows_chain_coverage(app, seed_graph):
    card = chain_coverage(seed_graph, "zhangjiang")
    metrics = {m.label: m for m in app.metric}
    assert metrics["Stated by the texts"].value == f"{card['stated_share']:.0%}"
    assert metrics["Measured (all loaded)"].value == f"{card['measured_share']:.1%}"
    assert metrics["Measured (texts alone)"].value == f"{card['measured_share_text_only']:.1%}"
    delta = (card["measured_share"] - card["stated_share"]) * 100
    assert metrics["Measured (all loaded)"].delta == f"{delta:+.1f} pp vs stated"
    table = next(df.value for df in app.dataframe if "segment" in df.value.columns and "stage" in df.value.columns)
    assert len(table) == card["segments_total"]
    assert sorted(table["firms"]) == sorted(len(r["firms"]) for r in card["segments"])


def test_claims_tab_lists_every_claim_with_its_sentence(app, seed_graph):
    table = next(df.value for df in app.dataframe if "as written" in df.value.columns)
    assert len(table) == sum(1 for _, d in seed_graph.nodes(data=True) if d["type"] == "Claim")
    row = table[table["metric"] == "chain_share"].iloc[0]
    assert row["value"] == "60%" and row["as written"] in row["sentence"]


def test_type_filter_and_empty_result():
    at = run_app()
    at.multiselect(key="types").set_value(["Segment"]).run()
    assert drawn(at) == 23
    at.multiselect(key="types").set_value(["Company"]).run()
    at.slider(key="min_mentions").set_value(at.slider(key="min_mentions").max).run()
    at.multiselect(key="types").set_value(["Dataset"]).run()
    assert any("No node matches" in i.value for i in at.info)
    assert not at.exception


def test_stage_and_region_filters(seed_graph):
    at = run_app()
    at.multiselect(key="types").set_value(["Company", "Segment"]).run()
    at.multiselect(key="stages").set_value(["upstream"]).run()
    upstream = drawn(at)
    assert 7 < upstream < drawn(run_app())
    at.selectbox(key="region").set_value("zhangjiang").run()
    assert drawn(at) < upstream


def test_search_any_language_fills_the_inspector():
    at = run_app()
    at.text_input(key="search").input("智元機器人").run()  # traditional script, not in the catalogue as written
    assert at.selectbox(key="node").value == "agibot"
    assert at.subheader[0].value == "AgiBot"
    evidence = [h.proto.body for h in at.get("html") if "<mark>" in h.proto.body]
    assert evidence and all("</mark>" in m for m in evidence)
    assert any("Sources disagree" in w.value for w in at.warning)
    at.toggle(key="focus").set_value(True).run()
    assert any("AgiBot and its neighbours" in w.value for w in at.warning)
    at.radio(key="language").set_value("中文").run()
    assert at.subheader[0].value == "智元机器人"


def test_search_without_match_says_so():
    at = run_app()
    at.text_input(key="search").input("no such firm").run()
    assert any("Nothing is called" in i.value for i in at.info)
    assert not at.exception


def test_good_roster_upload_changes_coverage(seed_graph):
    at = run_app()
    at.file_uploader(key="rosters").set_value(("more.csv", GOOD_ROSTER, "text/csv")).run()
    assert not at.exception and not at.error
    before = chain_coverage(seed_graph, "zhangjiang")["measured_share"]
    after = before + 2 / 23
    assert {m.label: m.value for m in at.metric}["Measured (all loaded)"] == f"{after:.1%}"
    effect = next(m.value for m in at.markdown if m.value.startswith("**Effect of the uploaded rosters:**"))
    assert f"{before:.1%} → {after:.1%}" in effect
    closed = " ".join(m.value for m in at.markdown if m.value.startswith("closes "))  # names without specials
    assert "Test Hands Co" in closed and "Test Sensors Co" in closed


def test_bad_roster_upload_shows_errors_and_the_app_keeps_working(seed_graph):
    at = run_app()
    at.file_uploader(key="rosters").set_value(("bad.csv", BAD_ROSTER, "text/csv")).run()
    assert not at.exception
    message = at.error[0].value.replace("\\", "")  # shown with Markdown escapes
    assert message.startswith("bad.csv:2: field 'region'") and "atlantis" in message and "zhangjiang" in message
    assert {m.label: m.value for m in at.metric}["Nodes"] == str(seed_graph.number_of_nodes())
    assert drawn(at) > 0


def test_document_upload_adds_its_mentions(seed_graph):
    at = run_app()
    text = "AgiBot and Fourier opened a joint lab in Zhangjiang.".encode()
    at.file_uploader(key="docs").set_value(("note.txt", text, "text/plain")).run()
    assert not at.exception and not at.error
    assert {m.label: m.value for m in at.metric}["Documents"] == str(len(seed_graph.graph["documents"]) + 1)


def test_start_arguments_load_a_roster(tmp_path, monkeypatch, seed_graph):
    roster = tmp_path / "national.csv"
    roster.write_bytes(GOOD_ROSTER)
    monkeypatch.setattr("sys.argv", [APP, "--roster", str(roster)])  # as `streamlit run app.py -- --roster ...`
    at = run_app()
    orgs = sum(1 for _, d in seed_graph.nodes(data=True) if d["type"] in ("Company", "Institution"))
    assert {m.label: m.value for m in at.metric}["Organisations"] == str(orgs + 2)
    monkeypatch.setattr("sys.argv", [APP, "--roster", str(tmp_path / "missing.csv")])
    at = run_app()
    assert "missing.csv" in at.error[0].value.replace("\\", "") and not at.exception


def test_display_cap_and_what_happens_above_it(seed_graph):
    at = run_app()
    at.number_input(key="cap").set_value(60).run()
    assert "folding the other" in at.warning[0].value and "one per chain segment" in at.warning[0].value
    assert drawn(at) <= 60
    at.selectbox(key="above_cap").set_value("fold by region").run()
    assert "one per region" in at.warning[0].value
    at.selectbox(key="above_cap").set_value("top by mentions").run()
    assert "most-mentioned" in at.warning[0].value.replace("\\", "") and drawn(at) == 60
