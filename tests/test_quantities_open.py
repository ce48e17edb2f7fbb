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
