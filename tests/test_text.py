import codecs

import pytest

from loaders.errors import InputError
from loaders.fold import fold, fold_text
from loaders.text import decode_bytes, detect_language, load_document, split_sentences

JA = "智元ロボットが張江に集積しています。"
ZH = "绿的谐波在张江。智元机器人覆盖产业链约60%。"


@pytest.mark.parametrize("data,encoding", [
    (JA.encode("utf-8"), "utf-8"),
    (codecs.BOM_UTF8 + JA.encode("utf-8"), "utf-8-sig"),
    (JA.encode("utf-16"), "utf-16"),
    (ZH.encode("gb18030"), "gb18030"),
    (JA.encode("cp932"), "cp932"),
    ("張江に集積。浦東は上海市の集積区です。".encode("shift_jis"), "cp932"),
])
def test_decode_supported_encodings(data, encoding):
    text, enc = decode_bytes(data)
    assert enc == encoding
    assert text in (JA, ZH, "張江に集積。浦東は上海市の集積区です。")


def test_decode_refuses_binary_and_garbage(tmp_path):
    with pytest.raises(InputError, match="binary"):
        decode_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"abc \xfd\xfe\xff\xff def")  # invalid in UTF-8, GB18030 and Shift_JIS alike
    with pytest.raises(InputError) as err:
        load_document(bad)
    assert "bad.txt" in str(err.value) and "UTF-8" in str(err.value)


def test_fold_keeps_offsets_into_the_original():
    text = "ＡｇｉＢｏｔ（智元機器人）㈱张江"
    ft = fold_text(text)
    assert ft.folded.startswith("agibot(智元机器人)(株)张江")
    i = ft.folded.index("智元机器人")
    s, e = ft.to_original(i, i + 5)
    assert text[s:e] == "智元機器人"
    i = ft.folded.index("张江")
    s, e = ft.to_original(i, i + 2)
    assert text[s:e] == "张江"


def test_fold_variants():
    assert fold("緑的諧波") == fold("綠的諧波") == "绿的谐波"
    assert fold("螞蟻霊波") == "蚂蚁灵波"
    assert fold("ＭｉｎｉＭａｘ") == "minimax"


@pytest.mark.parametrize("text,expected", [
    ("浦東は集積区です。張江に70社以上！次は？", ["浦東は集積区です。", "張江に70社以上！", "次は？"]),
    ("张江集聚了70余家企业。覆盖产业链约60%。", ["张江集聚了70余家企业。", "覆盖产业链约60%。"]),
    ("AgiBot Co. Ltd. is in Shanghai. It covers 60.5% of the chain.\nNew line here",
     ["AgiBot Co. Ltd. is in Shanghai.", "It covers 60.5% of the chain.", "New line here"]),
    ("Zhangjiang hosts more than 70 companies, including\nAgiBot and Fourier.",
     ["Zhangjiang hosts more than 70 companies, including\nAgiBot and Fourier."]),
])
def test_sentences(text, expected):
    assert [text[s.start:s.end] for s in split_sentences(text)] == expected


def test_paragraphs_are_counted():
    text = "一、目標\n\n上海市は推進します。次の文。\n\n二、計画"
    sents = split_sentences(text)
    assert [s.paragraph for s in sents] == [0, 1, 1, 2]


def test_language_detection(seed_doc):
    assert seed_doc.language == "ja"
    assert detect_language(ZH) == "zh"
    assert detect_language("Shanghai hosts AgiBot.") == "en"


def test_seed_metadata(seed_doc):
    assert seed_doc.id == "shanghai_embodied_ai_plan_ja"
    for key in ("title", "publisher", "source", "language", "effective_from", "effective_until", "authoritative_note"):
        assert seed_doc.meta.get(key), key
    assert "japanese.shanghai.gov.cn" in seed_doc.meta["source"]
