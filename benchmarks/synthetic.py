"""Synthetic inputs at scale: a roster of N firms and M documents that name them, in Japanese, Chinese and English.

The firms are made up (benchmarks only; nothing here enters data/). Segments and regions come from data/, so the
roster validates like a real one. Deterministic for a given seed. Two rosters:

- :func:`write_roster`: one row per firm, a Latin and a Chinese name (simple; the tests use it);
- :func:`write_realistic_roster`: names as registers print them in three scripts (深圳市…机器人科技有限公司,
  株式会社…ロボティクス, "… Robotics Co., Ltd."), short names and aliases, repeated rows, rows that name the same
  firm another way (another legal form, upper case, a different source) and rows that name a catalogue
  organisation, so a build has to merge rows into each other and into data/ as it would with real registers.

    python benchmarks/synthetic.py --firms 100000 --docs 1000 --out /tmp/synthetic [--realistic]
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from loaders.catalogue import load_catalogue  # noqa: E402

LATIN_SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "ta", "vo", "zen", "sha", "qi", "dor", "pel", "tri", "vex", "nor",
                   "bel", "cor", "dax", "fin", "gal", "hex", "jun", "kor", "lum", "mar", "nex", "ori", "pax", "quo",
                   "ros", "sol", "tor", "ula", "ven", "wix", "yor", "zed"]
LATIN_SUFFIXES = ["Robotics", "Motion", "Dynamics", "Intelligence", "Actuation", "Sensing", "Machines", "Systems"]
HAN = ("智元傅利叶星云海川明达华瑞创新科联博远晟宇恒泰光启安格灵思卓越鼎盛天工开物锐驰云图精工睿达凯普擎盛宏图"
       "极速领航合众鹏程嘉禾腾飞京信弘毅亿达芯源微纳")
HAN_SUFFIXES = ["机器人", "智能", "科技", "动力", "传感", "驱动"]

TEMPLATES = {
    "en": ["{a} and {b} signed a supply agreement for {segment} in {region}.",
           "{a} opened a new {segment} line in {region}, its third this year.",
           "Analysts expect {a} to ship humanoid units built with parts from {b} and {c}.",
           "The district said more than {n} companies in {region} now work on {segment}.",
           "{a} raised {money} million yuan to expand {segment} production."],
    "zh": ["{a}与{b}在{region}签署{segment}供货协议。",
           "{a}在{region}新建{segment}产线，年产能约{n}万台。",
           "{a}、{b}和{c}联合发布人形机器人整机方案。",
           "{region}已集聚{segment}企业{n}余家。",
           "{a}完成{money}亿元融资，用于扩大{segment}产能。"],
    "ja": ["{a}は{region}で{segment}の量産を開始した。",
           "{a}と{b}は{segment}分野で提携すると発表した。",
           "{region}には{segment}関連企業が{n}社以上集まっている。",
           "{a}、{b}、{c}が共同で実証実験を行う。"],
}
# Sentences that name no firm, as press and policy texts have between the ones that do. FILLER_SHARE is set so the
# synthetic texts have about the mention density of the seed plan (82 mentions in 7.7 kB, 10.7 per kB); the
# extraction benchmark prints the density it ran at.
FILLER_SHARE = 0.72
GENERATOR_VERSION = 3  # part of the cache folder name in benchmarks/.work/
FILLERS = {
    "en": ["The municipal government said the measures would remain in force until the end of 2027.",
           "Officials expect demand for service robots to keep growing as labour costs rise across the region.",
           "Industry observers note that financing for early-stage hardware projects has become more selective.",
           "The report also calls for common testing standards and for better access to public training data."],
    "zh": ["市政府表示，相关措施将持续实施至2027年底。",
           "业内人士认为，随着人工成本上升，服务机器人需求将持续增长。",
           "报告同时提出，要加快制定统一的测试标准，推动公共训练数据开放共享。",
           "有关部门将进一步优化营商环境，支持企业开展关键技术攻关。"],
    "ja": ["市政府は、これらの措置を2027年末まで継続すると説明した。",
           "業界関係者は、人件費の上昇に伴いサービスロボットの需要が今後も拡大するとみている。",
           "報告書は、共通の試験基準の策定と公共学習データの開放も求めている。",
           "関係部門は事業環境を一層改善し、企業の重要技術開発を支援する方針だ。"],
}
LANGUAGE_NAME = {"en": "name_en", "zh": "name_zh", "ja": "name_ja"}


def firm_names(n: int, seed: int = 7) -> list[tuple[str, str]]:
    """``n`` unique (Latin, Chinese) firm names."""
    rng = random.Random(seed)
    latin, han, out = set(), set(), []
    while len(out) < n:
        a = "".join(rng.choice(LATIN_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
        b = "".join(rng.choice(LATIN_SYLLABLES) for _ in range(2)).capitalize()
        en = f"{a} {b} {rng.choice(LATIN_SUFFIXES)}"
        zh = "".join(rng.choice(HAN) for _ in range(rng.randint(3, 4))) + rng.choice(HAN_SUFFIXES)
        if en in latin or zh in han:
            continue
        latin.add(en)
        han.add(zh)
        out.append((en, zh))
    return out


def write_roster(path: Path, n: int, seed: int = 7) -> list[dict]:
    """A roster CSV of ``n`` firms; returns its rows."""
    cat = load_catalogue()
    segments = [s.id.split(":", 1)[1] for s in cat.segments()]
    regions = [r.id for r in cat.regions()]
    rng = random.Random(seed + 1)
    rows = []
    for en, zh in firm_names(n, seed):
        rows.append({"name": en, "name_zh": zh, "name_en": en,
                     "segments": ";".join(rng.sample(segments, rng.choice((1, 1, 2)))),
                     "region": rng.choice(regions), "source": "synthetic benchmark roster"})
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return rows


# Realistic names. Brand characters avoid place names, so a brand never reads as a region.
BRAND_HAN = ("优必选宇树达闼傅星海智元银河通用云深处乐聚逐际动力众擎帕西尼灵心巧手因时松灵开普勒加速进化魔法原子卓益得"
             "钛虎帕猿星尘鹿明柔灵睿尔曼越疆节卡艾利特珞石遨博图灵灵初千寻跨维星动纪元穹彻清微拓斯达埃夫特新松汇川"
             "绿的谐波禾川兆威鸣志柯力雷赛步科昊志奥比中光思岚速腾镭神禾赛")
CITIES = ["深圳市", "杭州市", "苏州市", "北京", "广州市", "东莞市", "合肥市", "成都市", "武汉市", "南京市", "宁波市",
          "天津市", "重庆市", "西安市", "无锡市", "常州市", "青岛市", "厦门市", "长沙市", "佛山市"]
INDUSTRY = [("机器人", "Robotics", "ロボティクス"), ("智能", "Intelligence", "インテリジェンス"),
            ("精密传动", "Precision Drive", "プレシジョンドライブ"), ("传感", "Sensing", "センシング"),
            ("具身智能", "Embodied AI", "エンボディドAI"), ("灵巧手", "Dexterous Hands", "デクステラスハンド"),
            ("驱动", "Actuation", "アクチュエーション"), ("视觉", "Vision", "ビジョン")]
ZH_FORMS = ["科技有限公司", "有限公司", "技术有限公司", "股份有限公司", "智能科技有限公司"]
EN_FORMS = ["Co., Ltd.", "Technology Co., Ltd.", "Ltd.", "Inc.", "Group Co., Ltd."]
KANA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン"
KANA_ROMAJI = ["a", "i", "u", "e", "o", "ka", "ki", "ku", "ke", "ko", "sa", "shi", "su", "se", "so", "ta", "chi",
               "tsu", "te", "to", "na", "ni", "nu", "ne", "no", "ha", "hi", "fu", "he", "ho", "ma", "mi", "mu", "me",
               "mo", "ya", "yu", "yo", "ra", "ri", "ru", "re", "ro", "wa", "n"]
PINYIN = ["you", "bi", "xuan", "yu", "shu", "da", "ta", "fu", "xing", "hai", "zhi", "yuan", "yin", "he", "tong",
          "yong", "yun", "shen", "chu", "le", "ju", "zhu", "ji", "dong", "li", "zhong", "qing", "pa", "xi", "ni",
          "ling", "xin", "qiao", "shou", "yin2", "song", "kai", "pu", "le2", "jia", "su", "jin", "hua", "mo", "fa",
          "yuan2", "zi", "zhuo", "yi", "de", "tai", "hu", "pa2", "chen", "lu", "ming", "rou", "rui", "er", "man",
          "yue", "jiang", "jie", "ka", "ai", "te", "luo", "shi", "ao", "bo", "tu", "chu2", "qian", "xun", "kua",
          "wei", "ji2", "qiong", "che", "qing2", "wei2", "tuo", "si", "ai2", "fu2", "hui", "chuan", "lv", "de2",
          "xie", "bo2", "he2", "chuan2", "zhao", "wei3", "ming2", "zhi2", "ke", "li2", "lei", "sai", "bu", "ke2",
          "hao", "zhi3", "ao2", "bi2", "zhong2", "guang", "si2", "lan", "su2", "teng", "lei2", "shen2", "he3",
          "sai2"]


def _romanise(han: str) -> str:
    table = {c: re.sub(r"\d", "", PINYIN[i % len(PINYIN)]) for i, c in enumerate(BRAND_HAN)}
    return "".join(table[c] for c in han).capitalize()


def realistic_roster_rows(n: int, seed: int = 7) -> list[dict]:
    """``n`` roster rows naming about ``0.92 n`` firms: Chinese, English and Japanese register names with short
    names and aliases; 3% of rows repeat an earlier row exactly, 5% name an earlier firm another way (another legal
    form or upper case, another source), and 0.5% name a catalogue organisation by its own name plus a legal form.
    """
    cat = load_catalogue()
    segments = [s.id.split(":", 1)[1] for s in cat.segments()]
    regions = [r.id for r in cat.regions()]
    known = [e for e in cat.entities.values() if e.type == "Company"]
    rng = random.Random(seed + 3)
    taken_han, taken_latin, taken_kana = set(), set(), set()
    firms: list[dict] = []  # the firm rows written so far (the originals, for repeats and variants)
    rows: list[dict] = []

    def facts() -> dict:
        return {"segments": ";".join(rng.sample(segments, rng.choice((1, 1, 2)))), "region": rng.choice(regions)}

    def new_firm(i: int) -> dict:
        kind = rng.random()
        ind_zh, ind_en, ind_ja = rng.choice(INDUSTRY)
        if kind < 0.85:  # a Chinese or English-first firm with a Chinese brand
            while True:
                han = "".join(rng.choice(BRAND_HAN) for _ in range(rng.choice((2, 3, 3, 4))))
                latin = _romanise(han)
                if han not in taken_han and latin not in taken_latin and cat.resolve(han) is None:
                    break
            taken_han.add(han)
            taken_latin.add(latin)
            legal_zh = f"{rng.choice(CITIES)}{han}{ind_zh}{rng.choice(ZH_FORMS)}"
            short_zh, legal_en = f"{han}{ind_zh}", f"{latin} {ind_en} {rng.choice(EN_FORMS)}"
            english_first = kind >= 0.65
            alias_en = f"{latin} {ind_en}" if rng.random() < 0.5 else ""
            row = {"name": legal_en if english_first else legal_zh, "name_zh": short_zh,
                   "name_en": legal_en if (english_first or rng.random() < 0.7) else "", "name_ja": "",
                   "aliases": ";".join(a for a in (han if rng.random() < 0.5 else "",
                                                   legal_zh if english_first else "", alias_en) if a)}
            row["_mention"] = (alias_en or row["name_en"] or short_zh, short_zh)
        else:  # a Japanese firm
            while True:
                idx = [rng.randrange(len(KANA)) for _ in range(rng.choice((3, 4)))]
                kana = "".join(KANA[k] for k in idx)
                latin = "".join(KANA_ROMAJI[k] for k in idx).capitalize()
                if kana not in taken_kana and latin not in taken_latin:
                    break
            taken_kana.add(kana)
            taken_latin.add(latin)
            legal_ja = f"株式会社{kana}{ind_ja}" if rng.random() < 0.5 else f"{kana}{ind_ja}株式会社"
            row = {"name": legal_ja, "name_zh": "", "name_en": f"{latin} {ind_en} Inc.", "name_ja": f"{kana}{ind_ja}",
                   "aliases": kana if rng.random() < 0.3 else ""}
            row["_mention"] = (row["name_en"], row["name_ja"])
        row.update(facts(), source=f"synthetic register, entry {i}")
        return row

    for i in range(n):
        r = rng.random()
        if firms and r < 0.03:  # the same row again (a register exported twice)
            rows.append(dict(rng.choice(firms)))
        elif firms and r < 0.08:  # the same firm named another way, with another source and facts
            base = rng.choice(firms)
            name = base["name"]
            for form in ZH_FORMS:  # another legal form keeps the loose key (org_key) of the name
                if name.endswith(form):
                    name = name[: -len(form)] + rng.choice([f for f in ZH_FORMS if f != form])
                    break
            else:
                name = name.upper()
            rows.append({**base, "name": name, "name_zh": "", "name_en": "", "name_ja": "", "aliases": "",
                         **facts(), "source": f"second register, entry {i}"})
        elif known and r < 0.085:  # a catalogue organisation as a register prints it
            e = rng.choice(known)
            name = f"{e.name_zh}有限公司" if e.name_zh and rng.random() < 0.5 else e.name
            rows.append({"name": name, "name_zh": "", "name_en": "", "name_ja": "", "aliases": "", **facts(),
                         "source": f"third register, entry {i}", "_mention": (e.name, e.name_zh or e.name)})
        else:
            firm = new_firm(i)
            firms.append(firm)
            rows.append(firm)
    return rows


ROSTER_FIELDS = ["name", "name_zh", "name_en", "name_ja", "segments", "region", "source", "aliases"]


def write_realistic_roster(path: Path, n: int, seed: int = 7) -> list[dict]:
    """A roster CSV of ``n`` rows from :func:`realistic_roster_rows`; returns its rows (``_mention`` holds the
    (Latin, CJK) names a text would use)."""
    rows = realistic_roster_rows(n, seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=ROSTER_FIELDS, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    return rows


def document_texts(firms: list[tuple[str, str]], m: int, size: int = 10_000, seed: int = 7) -> list[tuple[str, str]]:
    """``m`` (language, text) documents of about ``size`` bytes of UTF-8 each, naming firms from ``firms``."""
    cat = load_catalogue()
    segments = cat.segments()
    regions = cat.regions()
    rng = random.Random(seed + 2)
    docs = []
    for i in range(m):
        lang = ("en", "zh", "ja")[i % 3]
        parts, length = [], 0
        while length < size:
            if rng.random() < FILLER_SHARE:
                s = rng.choice(FILLERS[lang])
                parts.append(s)
                length += len(s.encode()) + 1
                continue
            t = rng.choice(TEMPLATES[lang])
            picks = [rng.choice(firms) for _ in range(3)]
            names = [p[0] if lang == "en" else p[1] for p in picks]
            seg = getattr(rng.choice(segments), LANGUAGE_NAME[lang]) or rng.choice(segments).name
            reg = getattr(rng.choice(regions), LANGUAGE_NAME[lang]) or rng.choice(regions).name
            s = t.format(a=names[0], b=names[1], c=names[2], segment=seg, region=reg, n=rng.randint(5, 90),
                         money=rng.randint(1, 50))
            parts.append(s)
            length += len(s.encode()) + 1
        docs.append((lang, (" " if lang == "en" else "").join(parts)))
    return docs


def write_documents(folder: Path, firms, m: int, size: int = 10_000, seed: int = 7) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, (lang, text) in enumerate(document_texts(firms, m, size, seed)):
        p = folder / f"synthetic_{i:05d}.{lang}.txt"
        p.write_text(text, encoding="utf-8")
        paths.append(p)
    return paths


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--firms", type=int, default=100_000)
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--doc-size", type=int, default=10_000, help="bytes of UTF-8 per document")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--realistic", action="store_true", help="register names in three scripts, repeats and merges")
    args = ap.parse_args(argv)
    if args.realistic:
        rows = write_realistic_roster(args.out / "roster.csv", args.firms)
        pairs = [r["_mention"] for r in rows if "_mention" in r]
    else:
        rows = write_roster(args.out / "roster.csv", args.firms)
        pairs = [(r["name"], r["name_zh"]) for r in rows]
    write_documents(args.out / "docs", pairs, args.docs, args.doc_size)
    print(f"wrote {args.out / 'roster.csv'} ({args.firms} firms) and {args.docs} documents in {args.out / 'docs'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
