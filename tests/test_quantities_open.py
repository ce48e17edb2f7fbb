"""Claims on invented sentences, one kind of open-world wording at a time (units from the counted noun, qualifiers,
numbers that are not quantities, subjects across lists): texts the rules of data/claims.yaml were not written for."""

import pytest

from loaders.matcher import AliasMatcher
from loaders.quantities import ClaimExtractor
from loaders.text import document_from_text


@pytest.fixture(scope="module")
def extractor(catalogue):
    return ClaimExtractor(catalogue)


@pytest.fixture(scope="module")
def matcher(catalogue):
    return AliasMatcher(catalogue.matchable_entities(), catalogue.stop_phrases)


def claims(extractor, text, matcher=None, **meta):
    doc = document_from_text(text, "t", **meta)
    return extractor.extract(doc, matcher.find(doc) if matcher else [])


def one(extractor, text, quote):
    got = [c for c in claims(extractor, text) if c.text == quote]
    assert got, f"no claim {quote!r} in {text!r}: {[c.text for c in claims(extractor, text)]}"
    return got[0]


@pytest.mark.parametrize("text,quote,unit", [
    ("该县今年共征集57个文旅项目，涵盖三个乡镇。", "57个", "projects"),           # the noun after the counter
    ("全市已建成12个机器人产业示范项目。", "12个", "projects"),              # of nouns in a row, the head
    ("该区覆盖农业、物流等8余个领域。", "8余个", "fields"),
    ("省农业厅等9个部门联合发布了通知。", "9个", "departments"),
    ("文件提出了7条具体措施。", "7条", "measures"),
    ("围绕三大核心策略展开。", "三大", "strategies"),
    ("该园区累计申请专利接近300项，授权专利200项。", "接近300项", "patents"),     # the noun before, nothing after
    ("目前已洽谈项目近40个，预计落户15个项目。", "近40个", "projects"),
    ("市内で実証実験30件を行う。", "30件", "pilot projects"),
    ("今年上半期の資金調達件数は12件で、前年を上回った。", "12件", "deals"),
])
def test_unit_from_the_counted_noun(extractor, text, quote, unit):
    assert one(extractor, text, quote).unit == unit


@pytest.mark.parametrize("text,quote,unit", [
    ("到2030年突破技术8项以上。", "8项以上", "breakthroughs"),   # a metric rule's own unit stays
    ("该镇建成3个，运行良好。", "3个", "items"),                    # no noun in the lexicon: the counter's unit
])
def test_unit_kept_when_no_noun_says_more(extractor, text, quote, unit):
    assert one(extractor, text, quote).unit == unit


@pytest.mark.parametrize("text,quote,qualifier", [
    ("同省の売上高は520億元を上回った。", "520億元を上回", "at_least"),                 # a verb of exceeding after
    ("輸出額は80億元（1元＝約21円）を上回った。", "80億元", "at_least"),                # ... after an aside
    ("The market is expected to surpass 40 billion yuan by 2030.", "surpass 40 billion yuan", "at_least"),
    ("For each team the county will exceed 2 million yuan in grants.", "exceed 2 million yuan", "at_least"),
    ("对入选团队最高给予800万元资助。", "最高给予800万元", "at_most"),                   # a cap with its verb between
    ("单个项目最高可达200万元。", "最高可达200万元", "at_most"),
    ("该县力争到2030年实现万台无人机应用落地。", "万台", "about"),             # a bare order of magnitude
    ("目标是形成千亿元产业集群。", "千亿元", "about"),
    ("到2030年培育百家骨干企业。", "百家", "exact"),                           # 百 counts (the seed's reading)
    ("到2030年推广一万台机器人。", "一万台", "exact"),
])
def test_qualifier_words(extractor, text, quote, qualifier):
    assert one(extractor, text, quote).qualifier == qualifier


@pytest.mark.parametrize("text", [
    "该机器人身高165厘米，体重55公斤，园区占地3万平方米。",
    "身長158センチ、体重48キロで、敷地は2万平方メートル。",
    "The robot stands 1.62 meters tall, weighs 58 kilograms and ran over 15 kilometres on a 9,000 square metres site.",
    "輸出額は80億元（1元＝約21円）だった。",     # the exchange rate beside an amount is not an amount
    "Sales rose in the first half of the year at the company's half-marathon sponsorship.",
])
def test_measurements_rates_and_periods_are_not_claims(extractor, text):
    got = [(c.text, c.unit) for c in claims(extractor, text)]
    assert all(unit in ("CNY",) and "1元" not in quote for quote, unit in got), got


def _subjects(extractor, matcher, text):
    return {c.text: c.subjects for c in claims(extractor, text, matcher)}


def test_respectively_ties_each_number_to_its_name(extractor, matcher, catalogue):
    got = _subjects(extractor, matcher, "去年上海、北京分别新增机器人企业41家、27家，人工智能企业数量分别为66家、58家。")
    sh, bj = (catalogue.resolve(n) for n in ("上海", "北京"))
    assert (got["41家"], got["27家"], got["66家"], got["58家"]) == ([sh], [bj], [sh], [bj])
    got = _subjects(extractor, matcher, "Shanghai and Beijing added 41 firms and 27 firms, respectively.")
    assert (got["41 firms"], got["27 firms"]) == ([sh], [bj])
    got = _subjects(extractor, matcher, "上海，北京分别新增机器人企业41家、27家。")  # a full-width comma joins them too
    assert (got["41家"], got["27家"]) == ([sh], [bj])


def test_no_list_no_respective_reading(extractor, matcher, catalogue):
    got = _subjects(extractor, matcher, "上海的机器人企业分别在两个园区，共有41家。")
    assert got["41家"] == [catalogue.resolve("上海")]


def test_the_source_of_a_figure_is_not_its_subject(extractor, matcher, catalogue):
    got = _subjects(extractor, matcher, "The robot industry in Shanghai is expected to produce 9,000 robots a year, "
                                        "according to a forecast by the Shanghai Municipal People's Government.")
    assert got["9,000 robots"] == [catalogue.resolve("Shanghai")]
    got = _subjects(extractor, matcher, "张江集聚了智元机器人等企业。智元机器人数据则显示，北京机器人市场占比达15%。")
    assert got["15%"] == [catalogue.resolve("北京")]


def test_the_investor_after_receiving_is_not_the_subject(extractor, matcher, catalogue):
    got = _subjects(extractor, matcher, "傅利叶于今年获得上海某基金5亿元投资。")
    assert got["5亿元"] == [catalogue.resolve("傅利叶")]


def test_a_definite_centre_refers_to_the_centre_named_before(extractor, matcher, catalogue):
    got = _subjects(extractor, matcher, "国家地方共同建設人型ロボットイノベーションセンターが上海で稼働した。"
                                        "このセンターでは、80台を超えるロボットが訓練を行っている。")
    assert got["80台を超え"] == ["national_local_humanoid_center"]


def test_measures_of_a_plan_are_the_plans(extractor, matcher, catalogue):
    got = _subjects(extractor, matcher, "上海市具身智能产业发展实施方案近日印发，方案制定了12条具体措施。")
    assert got["12条"] == ["shanghai_embodied_ai_plan"]


@pytest.mark.parametrize("text,quote,value,qualifier", [
    ("国内のサービスロボットの4台に1台が同県製だ。", "4台に1台", 0.25, "about"),      # one in N
    ("每5人中就有1人从事制造业。", "5人中就有1人", 0.2, "about"),
    ("One in four robots sold there is made locally.", "One in four", 0.25, "about"),
    ("県内企業の半数が参加した。", "半数", 0.5, "exact"),                              # shares in words
    ("园区产值已占全省的一半以上。", "一半以上", 0.5, "at_least"),
    ("本地企业过半数参与。", "过半数", 0.5, "at_least"),
    ("占全市产业的半壁江山。", "半壁江山", 0.5, "about"),
])
def test_shares_in_words(extractor, text, quote, value, qualifier):
    c = one(extractor, text, quote)
    assert (c.kind, c.value, c.qualifier) == ("share", pytest.approx(value), qualifier)


@pytest.mark.parametrize("text", ["该项目历时超过半年。", "半导体企业增多。", "in the second half"])
def test_half_a_year_is_no_share(extractor, text):
    assert [c for c in claims(extractor, text) if c.kind == "share"] == []


def test_the_whole_of_a_share_is_not_its_subject(extractor, matcher, catalogue):
    got = _subjects(extractor, matcher, "张江的产值占上海机器人产业的40%。")
    assert got["40%"] == [catalogue.resolve("张江")]


@pytest.mark.parametrize("text,quote,kind,value,unit", [
    ("Three cities announced billion-yuan robotics funds.", "billion-yuan", "money", 1e9, "CNY"),
    ("The county won a million-dollar grant.", "a million-dollar", "money", 1e6, "USD"),
    ("The maker has orders at the thousand-unit scale.", "thousand-unit", "count", 1000, "units"),
    ("Over a dozen firms joined.", "Over a dozen firms", "count", 12, "firms"),
])
def test_magnitudes_as_adjectives(extractor, text, quote, kind, value, unit):
    c = one(extractor, text, quote)
    assert (c.kind, c.value, c.unit) == (kind, value, unit)
    assert c.qualifier == ("at_least" if quote.startswith("Over") else "about")


def test_a_bare_number_counts_what_the_count_before_it_counts(extractor):
    got = {c.text: (c.value, c.unit, c.qualifier) for c in claims(
        extractor, "Of some 900 startups, roughly 120 came from Suzhou; more than 40 from Wuxi.")}
    assert got["roughly 120"] == (120, "startups", "about") and got["more than 40"] == (40, "startups", "at_least")
    got = {c.text: (c.value, c.unit) for c in claims(extractor, "Only seven out of the 30 drones landed.")}
    assert got["seven"] == (7, "drones")


def test_a_bare_number_without_a_qualifier_stays_unread(extractor):
    assert [c.text for c in claims(extractor, "Of some 900 startups, 120 came from Suzhou.")] == ["some 900 startups"]


@pytest.mark.parametrize("text,quote,subject", [
    ("2024年，北京市机器人产业营业收入同比增长35%，已支持形成多个产业集群。", "35%", "北京"),
    ("China's output of service drones surged 12.5 per cent from a year earlier, national data showed.",
     "12.5 per cent", "China"),
])
def test_a_growth_rate_is_whose_growth_it_is(extractor, matcher, catalogue, text, quote, subject):
    c = next(c for c in claims(extractor, text, matcher) if c.text == quote)
    assert (c.metric, c.unit, c.subjects) == ("growth_rate", "share", [catalogue.resolve(subject)])


def test_a_figure_in_a_quotation_is_the_speakers(extractor, matcher, catalogue):
    text = "张江发展很快。“去年我们拿到800多台订单，合同额超2亿元。”智元机器人创始人说。"
    got = _subjects(extractor, matcher, text)
    assert got["800多台"] == got["超2亿元"] == [catalogue.resolve("智元机器人")]
    text = '"Our output grew to 300 units in 2024," an engineer of Fourier said in Shanghai.'
    assert _subjects(extractor, matcher, text)["300 units"] == [catalogue.resolve("Fourier")]


def test_a_closed_quotation_before_the_figure_names_no_speaker(extractor, matcher, catalogue):
    got = _subjects(extractor, matcher, "“发展很快。”傅利叶说。张江集聚了70余家企业。")
    assert got["70余家"] == [catalogue.resolve("张江")]


def test_this_firm_is_the_firm_the_story_is_about(extractor, matcher, catalogue):
    text = "智元机器人近日递交上市申请。智元机器人表示，这家去年出货超3000台、位居上海第一的公司将扩产。"
    assert _subjects(extractor, matcher, text)["超3000台"] == [catalogue.resolve("智元机器人")]
