import json

import pytest

from conftest import FIXTURES
from loaders.fold import fold
from loaders.quantities import ClaimExtractor, NumberGrammar
from loaders.text import document_from_text


@pytest.fixture(scope="module")
def grammar(catalogue):
    return NumberGrammar(catalogue.claim_lexicon)


@pytest.mark.parametrize("text,kind,value,qualifier,quote", [
    ("張江に70社以上が集積", "count", 70, "at_least", "70社以上"),
    ("张江集聚了70余家企业", "count", 70, "at_least", "70余家"),
    ("more than 70 companies", "count", 70, "at_least", "more than 70 companies"),
    ("産業チェーンの約60%をカバー", "share", 0.6, "about", "約60%"),
    ("覆盖产业链约60%", "share", 0.6, "about", "约60%"),
    ("roughly 60 percent of the chain", "share", 0.6, "about", "roughly 60 percent"),
    ("全国の約3分の1を占める", "share", 1 / 3, "about", "約3分の1"),
    ("约占全国的三分之一", "share", 1 / 3, "exact", "三分之一"),
    ("about one third of China's", "share", 1 / 3, "about", "about one third"),
    ("百分之六十", "share", 0.6, "exact", "百分之六十"),
    ("産業規模を500億元以上に", "money", 5e10, "at_least", "500億元以上"),
    ("最高5000万元", "money", 5e7, "at_most", "最高5000万元"),
    ("exceeding 50 billion yuan", "money", 5e10, "at_least", "exceeding 50 billion yuan"),
    ("capped at 20 million yuan", "money", 2e7, "at_most", "capped at 20 million yuan"),
    ("RMB 1.5 billion fund", "money", 1.5e9, "exact", "RMB 1.5 billion"),
    ("五千万元", "money", 5e7, "exact", "五千万元"),
    ("1,000亿元", "money", 1e11, "exact", "1,000亿元"),
    ("千台規模", "count", 1000, "about", "千台規模"),
    ("4カ所以上のインキュベーター", "count", 4, "at_least", "4カ所以上"),
])
def test_quantity_grammar(grammar, text, kind, value, qualifier, quote):
    doc = document_from_text(text, "t")
    ft = doc.folded
    qs = [q for q in grammar.scan(ft.folded) if q.kind == kind]
    assert qs, f"no {kind} in {text!r}"
    q = qs[0]
    assert q.value == pytest.approx(value)
    assert q.qualifier == qualifier
    s, e = ft.to_original(q.start, q.end)
    assert text[s:e] == quote


@pytest.mark.parametrize("text,date", [
    ("2025年7月28日より施行", "2025-07-28"),
    ("自2025年8月6日起施行", "2025-08-06"),
    ("takes effect on July 28, 2025", "2025-07-28"),
    ("from 6 August 2025", "2025-08-06"),
    ("2027年までに", "2027"),
    ("by 2027 the city", "2027"),
])
def test_dates(grammar, text, date):
    qs = [q for q in grammar.scan(fold(text)) if q.kind == "date"]
    assert [q.date for q in qs] == [date]


@pytest.mark.parametrize("text", ["一つ目の特徴", "二つ目", "第二", "一、主な目標", "GR-1 and K2", "5G networks"])
def test_not_quantities(grammar, text):
    assert [q for q in grammar.scan(fold(text)) if q.kind == "count"] == []


@pytest.mark.parametrize("kanji,value", [("三", 3), ("十", 10), ("二十", 20), ("百", 100), ("一百零五", 105),
                                         ("五千万", 5e7), ("百万", 1e6), ("三亿五千万", 3.5e8), ("两千", 2000)])
def test_kanji_numerals(grammar, kanji, value):
    assert grammar.parse_kanji(kanji) == value


# Every quantity of the seed, with the metric, value (base units), unit, qualifier and subject it must have.
SEED_CLAIMS = [
    ("2027年", "target_year", 2027, "year", "exact", ["shanghai_embodied_ai_plan"]),
    ("20以上", "city_count", 20, "cities", "at_least", ["china"]),
    ("約3分の1", "national_share", 1 / 3, "share_of_national", "about", ["shanghai"]),
    ("4つ", "foundation_model_count", 4, "models", "exact", ["shanghai"]),
    ("82", "registered_model_count", 82, "models", "exact", ["shanghai"]),
    ("5つ", "direction_count", 5, "directions", "exact", ["shanghai"]),
    ("5つ", "platform_count", 5, "platforms", "exact", ["shanghai_embodied_ai_plan"]),
    ("最大50%", "subsidy_rate", 0.5, "share_of_investment", "at_most", None),
    ("2000万元以内", "subsidy_cap", 2e7, "CNY", "at_most", None),
    ("最大20%", "subsidy_rate", 0.2, "share_of_investment", "at_most", None),
    ("1000万元以内", "subsidy_cap", 1e7, "CNY", "at_most", None),
    ("百万", "dataset_scale", 1e6, "items", "exact", ["agibot_world"]),
    ("千台規模", "production_scale", 1000, "units", "about", []),
    ("百万規模", "dataset_scale", 1e6, "items", "about", ["heterogeneous_robot_dataset"]),
    ("70社以上", "firm_count", 70, "firms", "at_least", ["zhangjiang"]),
    ("50社以上", "makers_suppliers_count", 50, "firms", "at_least", ["zhangjiang"]),
    ("約60%", "chain_share", 0.6, "share_of_chain", "about", ["zhangjiang"]),
    ("2027年", "target_year", 2027, "year", "exact", ["shanghai_embodied_ai_plan"]),
    ("20項目以上", "breakthrough_target", 20, "breakthroughs", "at_least", ["shanghai_embodied_ai_plan"]),
    ("4カ所以上", "incubator_target", 4, "incubators", "at_least", ["shanghai_embodied_ai_plan"]),
    ("100社", "key_firm_target", 100, "firms", "exact", ["shanghai_embodied_ai_plan"]),
    ("100", "scene_target", 100, "scenes", "exact", ["shanghai_embodied_ai_plan"]),
    ("100件", "product_target", 100, "products", "exact", ["shanghai_embodied_ai_plan"]),
    ("500億元以上", "industry_scale_target", 5e10, "CNY", "at_least", ["shanghai_embodied_ai_plan"]),
    ("最大30%", "subsidy_rate", 0.3, "share_of_investment", "at_most",
     ["perception_decision_models", "motion_control_models", "embodied_corpus_tech", "self_developed_os"]),
    ("5000万元以内", "subsidy_cap", 5e7, "CNY", "at_most",
     ["perception_decision_models", "motion_control_models", "embodied_corpus_tech", "self_developed_os"]),
    ("5つ", "platform_count", 5, "platforms", "exact", ["shanghai_embodied_ai_plan"]),
    ("最大50%", "subsidy_rate", 0.5, "share_of_investment", "at_most", None),
    ("2000万元以内", "subsidy_cap", 2e7, "CNY", "at_most", None),
    ("最大20%", "subsidy_rate", 0.2, "share_of_investment", "at_most", None),
    ("1000万元以内", "subsidy_cap", 1e7, "CNY", "at_most", None),
    ("2025年7月28日", "effective_date", 2025, "date", "exact", ["shanghai_embodied_ai_plan"]),
    ("2028年7月27日", "expiry_date", 2028, "date", "exact", ["shanghai_embodied_ai_plan"]),
]
PLATFORMS = ["platform_compute", "platform_training_ground", "platform_pilot", "platform_investment", "platform_leasing"]


def test_every_seed_quantity_is_a_claim(seed_graph):
    claims = sorted((d for _, d in seed_graph.nodes(data=True) if d["type"] == "Claim" and d.get("evidence")),
                    key=lambda d: d["evidence"][0]["start"])
    got = [(d["text"], d["metric"], d["unit"], d["qualifier"]) for d in claims]
    assert got == [(t, m, u, q) for t, m, _, u, q, _ in SEED_CLAIMS]
    for d, (_, metric, value, _, _, subjects) in zip(claims, SEED_CLAIMS):
        assert d["value"] == pytest.approx(value), metric
        if subjects is not None:
            assert (d["subject"].split(";") if d["subject"] else []) == subjects, metric


def test_subsidies_become_supports_edges_with_rate_and_cap(seed_graph):
    G = seed_graph
    for p in PLATFORMS:
        sup = [d for _, v, d in G.out_edges("shanghai_embodied_ai_plan", data=True) if v == p and d["type"] == "SUPPORTS"]
        assert [(d["rate"], d["cap"]) for d in sup] == [(0.5, 2e7)], p
        assert {ev["sentence"] for ev in sup[0]["evidence"]} == {9, 30}
    sup = [d for _, v, d in G.out_edges("shanghai_embodied_ai_plan", data=True)
           if v == "motion_control_models" and d["type"] == "SUPPORTS"]
    assert [(d["rate"], d["cap"], d["cap_unit"]) for d in sup] == [(0.3, 5e7, "CNY")]


def test_zhangjiang_count_is_a_claim_reconciled_with_named_members(seed_graph):
    G = seed_graph
    claim = next(d for _, d in G.nodes(data=True) if d.get("metric") == "firm_count" and d.get("evidence"))
    assert claim["reconciliation"] == "6 named of ≥70"
    assert set(claim["members"]) == {"national_local_humanoid_center", "agibot", "fourier", "kepler", "ant_lingbo",
                                     "leaderdrive"}
    # 70 firms stay a quantity: no placeholder nodes.
    assert sum(1 for _, d in G.nodes(data=True) if d["type"] == "Company") < 70


def test_chinese_and_english_claims(catalogue):
    from loaders.matcher import AliasMatcher

    matcher = AliasMatcher(catalogue.matchable_entities(), catalogue.stop_phrases)
    ex = ClaimExtractor(catalogue)
    zh = document_from_text("张江集聚了智元机器人、傅利叶等70余家企业，其中整机及上下游企业50余家，覆盖产业链约60%。", "zh")
    got = [(c.metric, c.value, c.qualifier, c.subjects) for c in ex.extract(zh, matcher.find(zh))]
    assert got == [("firm_count", 70, "at_least", ["zhangjiang"]),
                   ("makers_suppliers_count", 50, "at_least", ["zhangjiang"]),
                   ("chain_share", 0.6, "about", ["zhangjiang"])]
    en = document_from_text("Zhangjiang hosts more than 70 companies, including AgiBot and Fourier, which cover "
                            "about 70% of the industry chain.", "en")
    got = [(c.metric, c.value, c.qualifier, c.subjects, c.members) for c in ex.extract(en, matcher.find(en))]
    assert got == [("firm_count", 70, "at_least", ["zhangjiang"], ["agibot", "fourier"]),
                   ("chain_share", 0.7, "about", ["zhangjiang"], [])]


def test_seed_claims_unchanged():
    """Regression: every claim of the bundled seed and the zh/en test articles, as snapshot by
    tests/fixtures/make_seed_claims.py, is still made with the same metric, value, unit, qualifier and subjects."""
    from graph import build_graph
    from graph.query import claim_rows

    G = build_graph(docs=[FIXTURES / "plan_article.zh.txt", FIXTURES / "plan_article.en.txt"])
    key = lambda r: (r["doc"], r["start"])  # noqa: E731  (where the quantity starts; its span may grow: 百 -> 百大)
    want = {key(r): r for r in json.loads((FIXTURES / "seed_claims.json").read_text(encoding="utf-8"))}
    got = {key({"start": r["evidence"][0]["start"], **r}): r for r in claim_rows(G, include_disputes=False)}
    assert sorted(got) == sorted(want), "claims appeared or disappeared"
    for k, w in want.items():
        g = got[k]
        assert (g["metric"], g["unit"], g["qualifier"], g["subjects"]) == \
            (w["metric"], w["unit"], w["qualifier"], w["subjects"]), k
        assert g["value"] == pytest.approx(w["value"]), k
