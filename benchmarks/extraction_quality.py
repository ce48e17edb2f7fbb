"""Extraction quality on the development corpus: precision and recall per category and language.

    python benchmarks/extraction_quality.py             # table
    python benchmarks/extraction_quality.py --json      # the same figures as JSON
    python benchmarks/extraction_quality.py --separately --details
    python benchmarks/extraction_quality.py --misses    # also every quantity whose subject was missed

Reads ``benchmarks/corpus/`` (format in its README: ``ID.LANG.txt``, ``ID.LANG.meta.yaml``, ``ID.gold.yaml``), builds
the graph of the corpus with ``bundled=False`` (all documents together, as a user would load them; ``--separately``
builds one graph per document) and compares what each document yields with its gold:

- organisations not in data/: gold organisations no name of which the catalogue knows, against discovered
  organisations (``origin: discovered``);
- all organisations, places, products (Product and Dataset nodes), policies;
- quantities: a claim is found when its span overlaps a gold quantity's text in the document; it is right when value
  (relative difference under 1e-6), unit and qualifier agree, and has the right subject when one of its subjects has
  a name of the gold subject.

An extracted entity counts for a document when it has a mention there; it is correct when one of its names, aliases or
quotes in that document equals a gold ``name`` or ``also`` after folding (script variants, width, case), for
organisations also after dropping legal suffixes and a leading city (``loaders.rosters.org_key``, the roster merge
rule). Precision = correct extracted / extracted; recall = gold entries matched / gold entries (micro-averaged).

Documents are split into a development part and a held-out part by a hash of their id (a quarter held out); the
patterns of data/discovery.yaml were written looking only at the development part, so the held-out rows show how
the rules generalise.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from loaders.discover import _YEARS  # noqa: E402 - a title keyed without its span of years, as discovery keys it
from loaders.fold import fold  # noqa: E402
from loaders.rosters import org_key  # noqa: E402
from loaders.yamlio import load_yaml, strip_lines  # noqa: E402

CORPUS = ROOT / "benchmarks" / "corpus"
CATEGORIES = ["organisations not in data/", "all organisations", "places", "products", "policies",
              "quantities found", "quantities: value+unit+qualifier", "quantities: subject"]
ORG_TYPES = ("Company", "Institution")
_UNIT_SYNONYMS = {"yuan": "cny", "rmb": "cny", "元": "cny", "companies": "firms", "enterprises": "firms",
                  "firm": "firms", "company": "firms", "unit": "units", "robots": "units"}


def held_out(doc_id: str) -> bool:
    """A quarter of the documents, chosen by a hash of the id (not by what they contain)."""
    return int(hashlib.sha1(doc_id.encode()).hexdigest(), 16) % 4 == 0


def load_corpus(corpus: Path = CORPUS) -> list[dict]:
    """Every complete document of the corpus: ``{id, language, path, gold, held_out}``."""
    items = []
    for gp in sorted(corpus.glob("*.gold.yaml")):
        doc_id = gp.name[: -len(".gold.yaml")]
        gold = strip_lines(load_yaml(gp))
        lang = gold.get("language", "")
        path = corpus / f"{doc_id}.{lang}.txt"
        if not path.exists():
            continue  # being written
        items.append({"id": doc_id, "language": lang, "path": path, "gold": gold, "held_out": held_out(doc_id)})
    return items


def _names(entry: dict) -> list[str]:
    return [str(n) for n in [entry.get("name"), *(entry.get("also") or [])] if n]


def _norm(name: str, kind: str) -> set[str]:
    f = fold(name).strip()
    keys = {re.sub(r"[\s\-_·・]", "", f)}
    if kind == "policies":
        core = re.sub(r"[《》「」『』\"“”]", "", f)
        keys.add(re.sub(r"[\s\-_·・]", "", _YEARS.sub("", core)))
    if kind == "organisations":
        for form in {f, re.sub(r"\([^()]*\)", "", f).strip()}:  # 哈尔滨工业大学（深圳） is 哈尔滨工业大学
            k = org_key(name, form)
            if len(k) >= 2:
                keys.add(k)
            keys.add(re.sub(r"[\s\-_·・]", "", form))
        if f.startswith("the "):
            keys.add(re.sub(r"[\s\-_·・]", "", f[4:]))
    return {k for k in keys if k}


def known_organisation(names: list[str], catalogue, known_keys: set[str]) -> bool:
    """True when the catalogue knows one of the names (directly or after dropping legal suffixes and a city)."""
    return any(catalogue.resolve(x, ORG_TYPES) or org_key(x) in known_keys for x in names)


def catalogue_org_keys(catalogue) -> set[str]:
    return {org_key(n) for e in catalogue.entities.values() if e.type in ORG_TYPES for n in e.all_names()
            if len(org_key(n)) >= 2}


def _match(extracted: list[set[str]], gold: list[set[str]]) -> tuple[int, int]:
    """(correct extracted, matched gold) for sets of keys."""
    correct = sum(1 for e in extracted if any(e & g for g in gold))
    matched = sum(1 for g in gold if any(e & g for e in extracted))
    return correct, matched


def _misses(G, nodes, extracted, gold_entries, gold) -> dict:
    """Names of the false positives and of the gold entries not found (for --details)."""
    return {"false_positives": [G.nodes[n].get("name", n) for n, e in zip(nodes, extracted)
                                if not any(e & g for g in gold)],
            "missed": [str(g.get("name")) for g, k in zip(gold_entries, gold) if not any(e & k for e in extracted)]}


def _entity_keys(G, node: str, doc_id: str, kind: str) -> set[str]:
    d = G.nodes[node]
    names = [d.get("name", ""), d.get("name_en", ""), d.get("name_zh", ""), d.get("name_ja", ""),
             *(d.get("aliases") or [])]
    names += [ev["quote"] for ev in d.get("evidence", []) if ev.get("doc") == doc_id]
    keys: set[str] = set()
    for n in names:
        if n:
            keys |= _norm(n, kind)
    return keys


def _in_doc(G, node: str, doc_id: str) -> bool:
    return any(ev.get("doc") == doc_id for ev in G.nodes[node].get("evidence", []))


def _unit_ok(ours: str, gold: str) -> bool:
    a, b = fold(ours or ""), fold(str(gold or ""))
    if a.startswith("share") and b.startswith("share"):
        return True
    a, b = _UNIT_SYNONYMS.get(a, a), _UNIT_SYNONYMS.get(b, b)
    return a == b


def score_document(G, item: dict, catalogue) -> dict:
    """Counts per category for one document: extracted, correct, gold, matched."""
    doc_id, gold = item["id"], item["gold"]
    text = item["path"].read_text(encoding="utf-8")
    counts: dict[str, dict[str, int]] = {}

    def put(cat, extracted, correct, n_gold, matched, misses=None):
        counts[cat] = {"extracted": extracted, "correct": correct, "gold": n_gold, "matched": matched}
        if misses:
            counts[cat]["names"] = misses

    nodes = [n for n in G.nodes if G.nodes[n].get("type") not in ("Claim", "Document") and _in_doc(G, n, doc_id)]
    by_type = defaultdict(list)
    for n in nodes:
        by_type[G.nodes[n]["type"]].append(n)

    gold_orgs = gold.get("organisations") or []
    gold_org_keys = [set().union(*(_norm(x, "organisations") for x in _names(g))) for g in gold_orgs]
    known_keys = catalogue_org_keys(catalogue)
    unknown_entries = [g for g in gold_orgs if not known_organisation(_names(g), catalogue, known_keys)]
    unknown = [k for g, k in zip(gold_orgs, gold_org_keys) if not known_organisation(_names(g), catalogue, known_keys)]
    orgs = [n for t in ORG_TYPES for n in by_type[t]]
    discovered = [n for n in orgs if G.nodes[n].get("origin") == "discovered"]
    ext = [_entity_keys(G, n, doc_id, "organisations") for n in discovered]
    c, m = _match(ext, unknown)
    put("organisations not in data/", len(ext), c, len(unknown), m, _misses(G, discovered, ext, unknown_entries, unknown))
    ext = [_entity_keys(G, n, doc_id, "organisations") for n in orgs]
    c, m = _match(ext, gold_org_keys)
    put("all organisations", len(ext), c, len(gold_org_keys), m)
    for cat, types, kind in (("places", ("Region", "Cluster"), "places"), ("products", ("Product", "Dataset"), "products"),
                             ("policies", ("Policy",), "policies")):
        entries = gold.get(cat) or []
        g = [set().union(*(_norm(x, kind) for x in _names(e))) for e in entries]
        ns = [n for t in types for n in by_type[t]]
        ext = [_entity_keys(G, n, doc_id, kind) for n in ns]
        c, m = _match(ext, g)
        put(cat, len(ext), c, len(g), m, _misses(G, ns, ext, entries, g))

    # quantities
    gq = gold.get("quantities") or []
    spans = []
    for q in gq:
        t = str(q.get("text", ""))
        spans.append([(mm.start(), mm.end()) for mm in re.finditer(re.escape(t), text)] if t else [])
    claims = [n for n, d in G.nodes(data=True) if d.get("type") == "Claim" and d.get("doc") == doc_id
              and not d.get("date")]
    found = right = subj = 0
    matched_found, matched_right, matched_subj = set(), set(), set()
    ours: dict[int, list[str]] = defaultdict(list)  # gold quantity -> what the claims on it say (for --misses)
    subject_names = {}
    for cat in ("organisations", "places", "products", "policies"):
        for e in gold.get(cat) or []:
            subject_names[str(e.get("name"))] = set().union(*(_norm(x, cat if cat != "places" else "places")
                                                              for x in _names(e)))
    for n in claims:
        d = G.nodes[n]
        ev = (d.get("evidence") or [None])[0]
        if not ev:
            continue
        hit = [i for i, ss in enumerate(spans) if any(a < ev["end"] and ev["start"] < b for a, b in ss)]
        if not hit:
            continue
        found += 1
        matched_found.update(hit)
        ok = [i for i in hit if d.get("value") is not None and gq[i].get("value") is not None
              and abs(float(d["value"]) - float(gq[i]["value"])) <= 1e-6 * max(1.0, abs(float(gq[i]["value"])))
              and _unit_ok(d.get("unit", ""), gq[i].get("unit")) and d.get("qualifier") == gq[i].get("qualifier")]
        if ok:
            right += 1
            matched_right.update(ok)
        subjects = [s for s in (d.get("subject") or "").split(";") if s and s in G]
        skeys = set()
        for s in subjects:
            skeys |= _entity_keys(G, s, doc_id, "organisations")
        good = [i for i in hit if gq[i].get("subject") and subject_names.get(str(gq[i]["subject"]), set()) & skeys
                or not gq[i].get("subject") and not subjects]
        if good:
            subj += 1
            matched_subj.update(good)
        label = ";".join(G.nodes[s].get("name", s) for s in subjects) or "-"
        for i in hit:
            ours[i].append(f"{d.get('metric')}->{label} ({d.get('subject_from', '')})")
    put("quantities found", len(claims), found, len(gq), len(matched_found))
    put("quantities: value+unit+qualifier", len(claims), right, len(gq), len(matched_right))
    put("quantities: subject", len(claims), subj, len(gq), len(matched_subj))
    in_graph = set().union(*(_entity_keys(G, n, doc_id, "organisations") for n in nodes)) if nodes else set()
    counts["quantities: subject"]["misses"] = [
        {"text": str(q.get("text")), "gold": q.get("subject"), "ours": ours.get(i) or ["not found"],
         "gold_extracted": not q.get("subject") or bool(subject_names.get(str(q["subject"]), set()) & in_graph)}
        for i, q in enumerate(gq) if i not in matched_subj]
    counts["quantities: subject"]["hits"] = [
        {"text": str(q.get("text")), "gold": q.get("subject"), "ours": ours.get(i)}
        for i, q in enumerate(gq) if i in matched_subj]
    return counts


def _ratio(a: int, b: int):
    return round(a / b, 3) if b else None


def summarise(per_doc: dict[str, dict], items: list[dict], seen: set[str] | None = None) -> dict:
    groups = {"all": [i["id"] for i in items]}
    for i in items:
        groups.setdefault(f"language {i['language']}", []).append(i["id"])
        groups.setdefault("held-out" if i["held_out"] else "development", []).append(i["id"])
        if seen is not None and i["id"] not in seen:
            groups.setdefault("unseen (not in --seen)", []).append(i["id"])
    out = {}
    for g, ids in groups.items():
        rows = {}
        for cat in CATEGORIES:
            tot = defaultdict(int)
            for d in ids:
                for k, v in per_doc[d][cat].items():
                    if k not in ("names", "misses", "hits"):
                        tot[k] += v
            rows[cat] = {**tot, "precision": _ratio(tot["correct"], tot["extracted"]),
                         "recall": _ratio(tot["matched"], tot["gold"])}
        out[g] = {"documents": len(ids), "categories": rows}
    return out


def run(separately: bool = False, corpus: Path = CORPUS, seen: set[str] | None = None) -> dict:
    from graph import build_graph
    from loaders.catalogue import load_catalogue
    from loaders.text import load_document

    catalogue = load_catalogue()
    items = load_corpus(corpus)
    if not items:
        raise SystemExit(f"no documents with gold in {corpus}")
    per_doc = {}
    if separately:
        for it in items:
            G = build_graph(docs=[load_document(it["path"], doc_id=it["id"])], bundled=False)
            per_doc[it["id"]] = score_document(G, it, catalogue)
    else:  # the gold's document id, whatever the metadata says
        G = build_graph(docs=[load_document(it["path"], doc_id=it["id"]) for it in items], bundled=False)
        for it in items:
            per_doc[it["id"]] = score_document(G, it, catalogue)
    return {"documents": [{"id": i["id"], "language": i["language"], "held_out": i["held_out"]} for i in items],
            "summary": summarise(per_doc, items, seen), "per_document": per_doc}


def _fmt(v):
    return "   -  " if v is None else f"{v * 100:5.1f}%"


def print_table(result: dict, details: bool = False) -> None:
    for group, data in result["summary"].items():
        print(f"\n{group} ({data['documents']} documents)")
        print(f"  {'category':<36} {'precision':>10} {'recall':>8}   extracted correct  gold matched")
        for cat, r in data["categories"].items():
            print(f"  {cat:<36} {_fmt(r['precision']):>10} {_fmt(r['recall']):>8}   {r['extracted']:>9} "
                  f"{r['correct']:>7} {r['gold']:>5} {r['matched']:>7}")
    if details:
        for doc, cats in result["per_document"].items():
            print(f"\n{doc}")
            for cat, r in cats.items():
                names = r.get("names") or {}
                print(f"  {cat:<36} " + " ".join(f"{k}={v}" for k, v in r.items() if k not in ("names", "misses", "hits")))
                for k, v in names.items():
                    if v:
                        print(f"      {k}: {', '.join(v)}")


def print_misses(result: dict) -> None:
    """Every gold quantity whose subject the tool got wrong: its text, the gold subject (and whether the document's
    graph holds it at all), and each claim on it as metric->subject (subject_from), or 'not found'."""
    for doc, cats in result["per_document"].items():
        misses = cats["quantities: subject"].get("misses") or []
        if misses:
            tag = " (held-out)" if any(d["id"] == doc and d["held_out"] for d in result["documents"]) else ""
            print(f"\n{doc}{tag}: {len(misses)} subject misses")
            for m in misses:
                absent = "" if m["gold_extracted"] else " (gold subject not extracted)"
                print(f"  {m['text']!r:<24} gold={m['gold']}{absent}  ours={' | '.join(m['ours'])}")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--separately", action="store_true", help="one graph per document instead of one for all")
    p.add_argument("--details", action="store_true", help="also print the counts per document")
    p.add_argument("--misses", action="store_true",
                   help="also list every gold quantity whose subject was missed, with what the claims on it say")
    p.add_argument("--corpus", type=Path, default=CORPUS, help="the corpus folder")
    p.add_argument("--segmenter", choices=["stops", "jieba", "sudachi"],
                   help="how discovery finds a name's left edge: stop words only, or only those jieba (Chinese) or "
                        "SudachiPy (Japanese) cuts as words (default: data/discovery.yaml)")
    p.add_argument("--seen", type=Path, metavar="FILE",
                   help="a file of document ids (one per line) the rules were written with; the others are also "
                        "reported as 'unseen'")
    args = p.parse_args(argv)
    if args.segmenter:
        from loaders.discover import load_discovery_rules

        load_discovery_rules().segmenter = args.segmenter  # the rules are read once per process
    seen = None
    if args.seen:
        seen = {ln.strip() for ln in args.seen.read_text(encoding="utf-8").splitlines() if ln.strip()}
    result = run(args.separately, args.corpus, seen)
    if args.json:
        json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        print_table(result, args.details)
        if args.misses:
            print_misses(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
