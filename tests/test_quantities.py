import json
import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES
from loaders.fold import fold
from loaders.quantities import ClaimExtractor, NumberGrammar
from loaders.records import Entity
from loaders.text import document_from_text, split_sentences


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
# A plan's targets (20 breakthroughs, 100 key firms, 500億元 …) are about the place whose plan it is (Shanghai), not
# about the plan: the plan's link to them is its TARGETS edge (loaders/subjects.py; the corpus gold reads them so).
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
    ("20項目以上", "breakthrough_target", 20, "breakthroughs", "at_least", ["shanghai"]),
    ("4カ所以上", "incubator_target", 4, "incubators", "at_least", ["shanghai"]),
    ("100社", "key_firm_target", 100, "firms", "exact", ["shanghai"]),
    ("100", "scene_target", 100, "scenes", "exact", ["shanghai"]),
    ("100件", "product_target", 100, "products", "exact", ["shanghai"]),
    ("500億元以上", "industry_scale_target", 5e10, "CNY", "at_least", ["shanghai"]),
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


# ------------------------------------------------------------------------------------------------ grammar, by item
def _scan(grammar, text, language=""):
    """(kind, value, qualifier, unit, upper, quote) of every quantity of ``text``."""
    ft = document_from_text(text, "t").folded
    out = []
    for q in grammar.scan(ft.folded, language):
        s, e = ft.to_original(q.start, q.end)
        out.append((q.kind, q.value, q.qualifier, q.unit, q.upper, text[s:e]))
    return out


@pytest.mark.parametrize("text,kind,value,qualifier,unit,quote", [
    # counts without a noun after them, and counters
    ("截至2024年底，全市机器人企业达2192家，产值持续增长。", "count", 2192, "exact", "家", "2192家"),
    ("全区已集聚相关企业超过100家。", "count", 100, "at_least", "家", "超过100家"),
    ("集聚上下游企业200余家", "count", 200, "at_least", "家", "200余家"),
    ("ロボット関連企業は200社余りにのぼる。", "count", 200, "at_least", "社", "200社余り"),
    ("建成3套中试验证平台", "count", 3, "exact", "套", "3套"),
    ("今年已交付500台人形机器人", "count", 500, "exact", "台", "500台"),
    ("全年发布20款新品", "count", 20, "exact", "款", "20款"),
    ("集聚3000名工程师和50位院士", "count", 3000, "exact", "名", "3000名"),
    ("突破100项关键技术", "count", 100, "at_least", "项", "突破100项"),
    ("沿线聚集了上千家机器人相关企业", "count", 1000, "at_least", "家", "上千家"),
    ("7万7000社以上の国家レベルハイテク企業", "count", 77000, "at_least", "社", "7万7000社以上"),
    ("観客1万2000人が沿道で声援", "count", 12000, "exact", "人", "1万2000人"),
    ("各選手には3人までの伴走が許可された", "count", 3, "at_most", "人", "3人まで"),
    ("人形机器人出货量年增2倍", "count", 2, "exact", "倍", "2倍"),
    # money without 元, ranges, Japanese and English money
    ("设立百亿规模的产业基金", "money", 1e10, "about", "CNY", "百亿规模"),
    ("打造千亿级产业集群", "money", 1e11, "about", "CNY", "千亿级"),
    ("项目总投资超百亿，", "money", 1e10, "at_least", "CNY", "超百亿"),
    ("到2030年产业规模达1.5万亿元", "money", 1.5e12, "exact", "CNY", "1.5万亿元"),
    ("总规模三万亿元", "money", 3e12, "exact", "CNY", "三万亿元"),
    ("約2兆円の投資", "money", 2e12, "about", "JPY", "約2兆円"),
    ("25億元（約523億175万円）規模の契約", "money", 2.5e9, "exact", "CNY", "25億元"),
    ("UBTech raised $1.2 billion last year", "money", 1.2e9, "exact", "USD", "$1.2 billion"),
    ("a fund of RMB 500 million", "money", 5e8, "exact", "CNY", "RMB 500 million"),
    ("orders worth 1.5bn yuan", "money", 1.5e9, "exact", "CNY", "1.5bn yuan"),
    ("announced a 700-million-yuan angel round", "money", 7e8, "exact", "CNY", "700-million-yuan"),
    ("HK$62 billion in assets", "money", 6.2e10, "exact", "HKD", "HK$62 billion"),
    ("revenue surpassed 1 billion yuan", "money", 1e9, "at_least", "CNY", "surpassed 1 billion yuan"),
    # shares: percent, 成, 割
    ("三成企业实现盈利", "share", 0.3, "exact", "share", "三成"),
    ("七成以上的订单来自海外", "share", 0.7, "at_least", "share", "七成以上"),
    ("輸出比率は3割に達した", "share", 0.3, "exact", "share", "3割"),
    ("受注量はほぼ300％増となった", "share", 3.0, "about", "share", "ほぼ300％"),
    ("with a 95-percent success rate", "share", 0.95, "exact", "share", "95-percent"),
    # English counts take their plural noun as counter
    ("of roughly 4,100 exhibitors at the show", "count", 4100, "about", "exhibitors", "roughly 4,100 exhibitors"),
    ("sales rose 25.5 per cent to 8.8 million units", "count", 8.8e6, "exact", "units", "8.8 million units"),
    ("21 robotic runners started the race", "count", 21, "exact", "runners", "21 robotic runners"),
    ("it sold 5 of its units", "count", 5, "exact", "", "5"),  # no function word between number and noun
])
def test_grammar_items(grammar, text, kind, value, qualifier, unit, quote):
    found = [q for q in _scan(grammar, text) if q[0] == kind]
    assert found, f"no {kind} in {text!r}: {_scan(grammar, text)}"
    k, v, qual, u, _, qt = found[0]
    assert (v, qual, fold(u), qt) == (pytest.approx(value), qualifier, fold(unit), quote)


@pytest.mark.parametrize("text,kind,low,high,quote", [
    ("研发投入30-50亿元", "money", 3e9, 5e9, "30-50亿元"),
    ("投资5万至10万元", "money", 5e4, 1e5, "5万至10万元"),
    ("研发投入占比5～10%", "share", 0.05, 0.10, "5～10%"),
    ("培育专精特新企业15—20家", "count", 15, 20, "15—20家"),
    ("from 20 to 30 firms", "count", 20, 30, "20 to 30 firms"),
    ("3-4倍に増えた", "count", 3, 4, "3-4倍"),
])
def test_ranges_keep_both_bounds(grammar, text, kind, low, high, quote):
    k, v, qual, _, upper, qt = next(q for q in _scan(grammar, text) if q[0] == kind)
    assert (v, upper, qual, qt) == (pytest.approx(low), pytest.approx(high), "at_least", quote)


@pytest.mark.parametrize("text,counts", [
    # a month or a day is never a count
    ("今年3月，北京发布了平台建设方案。", []),
    ("3月29日，深圳启用5个平台。", [5]),
    ("March 29 the city opened three platforms.", [3]),
    ("On 29 March two platforms opened.", [2]),
    ("2025年3月，上海建成3个平台。", [3]),
    ("今年3月、初めて政府活動報告に明記された。", []),
    # durations, years, ranks, words and names
    ("6个月内建成", []),
    ("《行动计划（2025-2027年）》", []),
    ("the 2023-2024 period", []),
    ("a 3-year plan over 10 years", []),
    ("跻身世界500强", []),
    ("千亿参数大模型", []),
    ("一家企业和一个平台", []),
    ("核心零部件", []),
    ("第3届大会", []),
    ("GR-1, K2 and L4级 on 5G", []),
])
def test_not_counts(grammar, text, counts):
    assert [q[1] for q in _scan(grammar, text) if q[0] == "count"] == counts


def test_money_and_conversion_share_the_qualifier(grammar):
    got = [(q[1], q[2], q[3]) for q in _scan(grammar, "revenue exceeded 90 billion yuan ($12.55 billion) last year")]
    assert got == [(9e10, "at_least", "CNY"), (pytest.approx(1.255e10), "at_least", "USD")]
    got = [(q[1], q[2]) for q in _scan(grammar, "売上高は900億元（約1兆8765億円）を超え、全国トップ")]
    assert got == [(9e10, "at_least"), (pytest.approx(1.8765e12), "about")]


# ------------------------------------------------------------------------------------------------- robustness
def test_huge_numbers_yield_no_claim(catalogue, grammar):
    for text in ["三" + "亿" * 39 + "元", "1" + "0" * 400 + "元", "产业规模" + "9" * 80 + "亿元", "9" * 400 + "%"]:
        assert all(q.value is not None and math.isfinite(q.value) for q in grammar.scan(fold(text)))
        claims = ClaimExtractor(catalogue).extract(document_from_text(text, "huge"), [])
        json.dumps([c.value for c in claims], allow_nan=False)  # JSON cannot hold Infinity or NaN


_NUMERALS = "0123456789〇零一二两三四五六七八九十百千万亿兆萬億"
_UNITS = ["元", "亿元", "万元", "円", "億円", "%", "％", "家", "社", "台", "个", "名", "成", "割", "倍", "月", "日", "年",
          "以上", "余", "约", "超过", "-", "～", "至", ",", ".", " ", "，", "billion yuan", "$", "million", "per cent"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.text(alphabet=_NUMERALS, min_size=1, max_size=60), st.sampled_from(_UNITS)),
                max_size=12).map("".join))
def test_random_numerals_never_raise_and_stay_finite(grammar, catalogue, text):
    for q in grammar.scan(fold(text)):
        assert q.value is not None and math.isfinite(q.value) and abs(q.value) <= grammar.max_value
        assert 0 <= q.start < q.end <= len(text) and (q.upper is None or math.isfinite(q.upper))
    if text.strip():
        claims = ClaimExtractor(catalogue).extract(document_from_text(text, "random"), [])
        json.dumps([[c.value, c.attrs.get("value_max")] for c in claims], allow_nan=False)


def _scan_everything(grammar, text: str, language: str = ""):
    """``scan`` with every pattern run in its full form: every word a pattern needs (and a range separator, a big
    unit before a digit) said to be present, so nothing is skipped or shortened."""
    return [vars(q) for q in grammar.scan(text, language, present=set(grammar._required))]


_REAL_TEXTS = sorted((Path(__file__).resolve().parents[1] / "benchmarks" / "corpus").glob("*.txt")) + \
    sorted((Path(__file__).resolve().parents[1] / "seeds").glob("*.txt"))


def test_skipped_and_shortened_patterns_find_what_the_full_ones_find(grammar):
    """A sentence skips the patterns whose words it lacks and runs the count, share and money patterns without
    their range and "1万2000" parts when it has no separator or big unit before a digit: the quantities are those of
    every pattern in full, on every sentence of the corpus and seeds and on sentences made to have them."""
    made = ["30-50亿元和5~10%，20 to 30 firms", "1万2000社、523億175万円", "2025-07-28、2025至2027年、the 2025-2027 plan",
            "one-third of 5 firms", "一成、3割、三分之一、3分の1、百分之六十", "RMB 1-2 billion and $3 billion", "约2192家（2024年）",
            "GR-1 and 5G", "totally 5 firms into 3 sites", "1,2345% and 12345年3月", "超过 5家，more than 3 firms"]
    texts = [p.read_text(encoding="utf-8") for p in _REAL_TEXTS]
    sentences = made + [fold(t[s.start:s.end]) for t in texts for s in split_sentences(t)]
    assert len(sentences) > 500
    for s in sentences:
        assert [vars(q) for q in grammar.scan(s, "zh")] == _scan_everything(grammar, s, "zh"), s


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.text(alphabet=_NUMERALS + "-~至到", min_size=1, max_size=12), st.sampled_from(_UNITS)),
                max_size=12).map("".join))
def test_random_numerals_full_patterns_agree(grammar, text):
    text = fold(text)
    assert [vars(q) for q in grammar.scan(text)] == _scan_everything(grammar, text)


# --------------------------------------------------------------------------------------------- target or fact
@pytest.mark.parametrize("text,expected", [
    ("到2027年，力争培育10家以上领军企业。", [True]),
    ("截至2024年底，已集聚机器人企业2192家。", [False]),
    ("目前已有企业300家，力争到2027年达到1000家。", [False, True]),
    ("全市将建设5个公共服务平台。", [True]),
    ("The city aims to attract 50 robot firms by 2027.", [True]),
    ("Shenzhen already has 2,192 robot firms.", [False]),
    ("2030年までに関連企業100社の集積を目指す。", [True]),
    ("すでに関連企業70社が集積している。", [False]),
    ("関連企業100社の集積を目指す。", [True]),
    ("2024年产业收入预计超过300亿元。", [True]),  # a forecast counts as a target
    ("出荷量は年2倍のペースで拡大が見込まれる。", [True]),
    ("By 2025 the company had produced 1,000 robots.", [False]),
])
def test_target_or_fact_from_the_wording(catalogue, text, expected):
    claims = [c for c in ClaimExtractor(catalogue).extract(document_from_text(text, "t"), []) if c.kind != "date"]
    assert [c.target for c in claims] == expected
    assert {c.attrs["target_from"] for c in claims} == {"wording"}


def test_target_runs_on_and_past_years_are_facts(catalogue):
    text = ("到2027年，培育龙头企业10家以上。新增上市企业20家，建成平台5个。\n\n"
            "全市企业2000家。2015年市场规模3.8亿元。")
    claims = ClaimExtractor(catalogue).extract(document_from_text(text, "t", released="2025-03"), [])
    got = [(c.text, c.target, c.attrs["target_from"]) for c in claims if c.kind != "date"]
    assert got == [("10家以上", True, "wording"), ("20家", True, "previous_sentence"), ("5个", True, "previous_sentence"),
                   ("2000家", False, "rule"), ("3.8亿元", False, "year")]


def test_a_deadline_already_past_states_a_fact(catalogue):
    """A target cue whose clause names only years before the document's date reports what was reached."""
    text = "By the end of 2024 the company held 2,680 patents. By 2027 it will hold 5,000 patents."
    claims = ClaimExtractor(catalogue).extract(document_from_text(text, "t", released="2026-01"), [])
    assert [(c.text, c.target, c.attrs["target_from"]) for c in claims if c.kind == "count"] == \
        [("2,680 patents", False, "year"), ("5,000 patents", True, "wording")]


def test_target_without_wording_is_the_rules(catalogue):
    claims = ClaimExtractor(catalogue).extract(document_from_text("集聚100家骨干企业。", "t"), [])
    assert [(c.metric, c.target, c.attrs["target_from"]) for c in claims] == [("key_firm_target", True, "rule")]


# --------------------------------------------------------------------------------------------------- subjects
_EXTRA = [  # entities other engineers' loaders add: gazetteer places and discovered organisations and policies
    Entity("t_shenzhen", "Region", name_en="Shenzhen", name_zh="深圳市", name_ja="深セン市", aliases=["深圳", "深セン"],
           origin="gazetteer"),
    Entity("t_ubtech", "Company", name_en="UBTech", name_zh="优必选", name_ja="優必選", origin="discovered"),
    Entity("t_unitree", "Company", name_en="Unitree", name_zh="宇树科技", origin="discovered"),
    Entity("t_xinhua", "Institution", name_en="Xinhua", name_zh="新华社", origin="discovered"),
    Entity("t_sz_plan", "Policy", name_zh="深圳市具身智能机器人行动计划", origin="discovered"),
    Entity("t_walker", "Product", name_en="Walker S2", origin="discovered"),
]


@pytest.fixture(scope="module")
def subject_extractor(catalogue):
    from loaders.extract import alias_matcher, with_entities

    seen = with_entities(catalogue, {**catalogue.entities, **{e.id: e for e in _EXTRA}})
    extractor, matcher = ClaimExtractor(seen), alias_matcher(seen, seen.entities)

    def run(text, **meta):
        doc = document_from_text(text, "s", **meta)
        return [(c.text, c.subjects, c.subject_from) for c in extractor.extract(doc, matcher.find(doc))
                if c.kind != "date"]
    return run


@pytest.mark.parametrize("text,meta,expected", [
    # the nearest entity of the metric's subject types in the clause: a second city keeps its own figures
    ("北京集聚机器人企业300家，深圳集聚机器人企业2192家。", {},
     [("300家", ["beijing"], "clause"), ("2192家", ["t_shenzhen"], "clause")]),
    ("Beijing has 300 robot firms; Shenzhen has 2,192 robot firms.", {},
     [("300", ["beijing"], "clause"), ("2,192", ["t_shenzhen"], "clause")]),
    # then the sentence
    ("深圳出台新政，全市企业达2192家。", {}, [("2192家", ["t_shenzhen"], "sentence")]),
    # never the entity the cue names (全国 is China, the share is Shanghai's)
    ("上海机器人产业规模约占全国的三分之一。", {}, [("三分之一", ["shanghai"], "clause")]),
    # never the source of the statement
    ("据新华社报道，优必选今年已交付500台人形机器人。", {}, [("500台", ["t_ubtech"], "clause")]),
    ("According to Xinhua, UBTech delivered 500 humanoid robots this year.", {},
     [("500", ["t_ubtech"], "clause")]),
    ("Robots… UBTech delivered 500 humanoid robots, according to data from Xinhua.", {},  # … folds to ...
     [("500", ["t_ubtech"], "clause")]),
    # a price is about the product, an order about the firm
    ("UBTech said its Walker S2 starts at 500,000 yuan.", {}, [("500,000 yuan", ["t_walker"], "clause")]),
    ("UBTech won 1.4 billion yuan in Walker S2 orders.", {}, [("1.4 billion yuan", ["t_ubtech"], "clause")]),
    # a back-reference takes the previous sentence's subject
    ("张江是机器人产业集聚区。其中，整机企业50余家。", {}, [("50余家", ["zhangjiang"], "previous_sentence")]),
    ("張江は集積区である。そのうち、完成品メーカーが50社以上にのぼる。", {},
     [("50社以上", ["zhangjiang"], "previous_sentence")]),
    # else the document: its metadata (a gazetteer place), its topic, its policy
    ("北京是首都。规上工业企业达2192家。", {"cluster": "Shenzhen"}, [("2192家", ["t_shenzhen"], "document")]),
    ("北京是首都。全市规上工业企业达2192家。", {"cluster": "Shenzhen"}, [("2192家", ["beijing"], "previous_sentence")]),
    ("宇树科技完成C轮融资，宇树科技估值约120亿元。融资金额近7亿元。", {"cluster": "Hangzhou"},
     [("约120亿元", ["t_unitree"], "clause"), ("近7亿元", ["t_unitree"], "document")]),
    # a plan's target is the place's whose plan it is (named in the sentence, else the document's place); with no
    # place at all, the plan's
    ("《深圳市具身智能机器人行动计划》发布。到2027年，培育龙头企业10家。", {},
     [("10家", ["t_sz_plan"], "document")]),
    ("深圳发布《深圳市具身智能机器人行动计划》，提出培育龙头企业10家。", {"cluster": "Shenzhen"},
     [("10家", ["t_shenzhen"], "sentence")]),
    ("《深圳市具身智能机器人行动计划》发布。到2027年，培育龙头企业10家。", {"cluster": "Shenzhen"},
     [("10家", ["t_shenzhen"], "document")]),
    # the subject comes before the figures; a name right after the number is what it counts
    ("宇树科技拟募资42.02亿元，成为长鑫科技后又一单硬科技项目。", {}, [("42.02亿元", ["t_unitree"], "clause")]),
    ("UBTech plans to deliver 500 Walker S2 units.", {}, [("500", ["t_walker"], "clause")]),
    # a definite description refers to the story's firm ("公司" in a Unitree story is Unitree, not its investor)
    ("宇树科技完成C轮融资，宇树科技估值约120亿元。据新华社报道，公司年营收超过10亿元。",
     {"cluster": "Hangzhou"}, [("约120亿元", ["t_unitree"], "clause"), ("超过10亿元", ["t_unitree"], "clause")]),
    # investors are the other party of a deal, not what its figures are about
    ("宇树科技完成C轮融资，宇树科技估值大涨。此轮融资由腾讯、新华社共同主导，融资金额近7亿元。", {},
     [("近7亿元", ["t_unitree"], "document")]),
    ("UBTech secured $69 million in funding from investors such as Xinhua and Unitree.", {},
     [("$69 million", ["t_ubtech"], "clause")]),
    # a name in a bracketed aside that closes before the number is not its subject
    ("深圳（优必选、宇树科技所在地）集聚企业2192家。", {}, [("2192家", ["t_shenzhen"], "clause")]),
    # a count of names just listed, and an event's figures, are nobody's
    ("优必选和宇树科技都在深圳。这两家企业均已上市。", {}, [("两家", [], "none")]),
    ("深圳举办机器人展。同大会の出展企業は800社に達した。", {}, [("800社", [], "none")]),
    # a policy's own items are the policy's
    ("《深圳市具身智能机器人行动计划》发布，细化了18条重点任务。", {"cluster": "Shenzhen"},
     [("18条", ["t_sz_plan"], "sentence")]),
    # a fact of a plain count that its sentence names nobody for is nobody's (a race's 21 runners)
    ("深圳是一座城市。出场的21台机器人中完赛6台。", {"cluster": "Shenzhen"}, [("21台", [], "none"), ("6台", [], "none")]),
    # else nobody: a cluster the graph does not hold is not replaced by another place (Beijing is not Atlantis)
    ("北京是首都。规上工业企业达2192家。", {"cluster": "Atlantis"}, [("2192家", [], "none")]),
    ("Output grew by 30 per cent.", {}, [("30 per cent", [], "none")]),
])
def test_subject_rules(subject_extractor, text, meta, expected):
    got = subject_extractor(text, **meta)
    assert [(t[:len(e[0])], s, f) for (t, s, f), e in zip(got, expected)] == expected and len(got) == len(expected)
