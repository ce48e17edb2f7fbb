"""Synthetic inputs at scale: a roster of N firms and M documents that name them, in Japanese, Chinese and English.

The firms are made up (benchmarks only; nothing here enters data/). Segments and regions come from data/, so the
roster validates like a real one. Deterministic for a given seed.

    python benchmarks/synthetic.py --firms 100000 --docs 1000 --out /tmp/synthetic
"""

from __future__ import annotations

import argparse
import csv
import random
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
GENERATOR_VERSION = 2  # part of the cache folder name in benchmarks/.work/
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
    args = ap.parse_args(argv)
    rows = write_roster(args.out / "roster.csv", args.firms)
    write_documents(args.out / "docs", [(r["name"], r["name_zh"]) for r in rows], args.docs, args.doc_size)
    print(f"wrote {args.out / 'roster.csv'} ({args.firms} firms) and {args.docs} documents in {args.out / 'docs'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
