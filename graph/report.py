"""Reports for people: the coverage scorecard as text (the CLI prints it; the app shows the same figures)."""

from __future__ import annotations


def _pct(x) -> str:
    return "—" if x is None else f"{x * 100:.1f}%"


def format_scorecard(card: dict, diff: dict | None = None) -> str:
    """The scorecard as a readable text table."""
    lines = [f"Chain coverage: {card['region_name']} ({card['region']})", "", coverage_verdict(card),
             roster_what_if(card), ""]
    st = card["stated"][0] if card["stated"] else None
    lines.append(f"  stated share      {_pct(card['stated_share'])}"
                 + (f"   「{st['quote']}」 {st['doc']} #{st['sentence']}" if st else "   (no text states one)"))
    lines.append(f"  measured share    {_pct(card['measured_share'])}   all loaded: {card['segments_covered']}/"
                 f"{card['segments_total']} segments")
    lines.append(f"  texts alone       {_pct(card['measured_share_text_only'])}   "
                 f"{card['segments_covered_text_only']}/{card['segments_total']} segments")
    lines.append(f"  without contested {_pct(card['measured_share_without_conflicts'])}")
    if card["gap_pp"] is not None:
        lines.append(f"  measured − stated {(card['measured_share'] - card['stated_share']) * 100:+.1f} percentage points")
    fs, ms = card["firms_stated"], card["makers_suppliers_stated"]
    lines.append(f"  firms             stated {fs['text'] if fs else '—'}, known {card['firms_known']} "
                 f"(texts alone {card['firms_known_text_only']})")
    lines.append(f"  makers+suppliers  stated {ms['text'] if ms else '—'}, known {card['makers_suppliers_known']}")
    lines.append(f"  denominator       {card['denominator']}")
    if card["note"]:
        lines.append(f"  note              {card['note']}")
    lines.append("")
    lines.append(f"  {'segment':<40} {'stage':<11} {'firms':>5}  text  firms (all loaded)")
    for r in card["segments"]:
        mark = "!" if len(r["firms"]) == 1 else " "
        names = ", ".join(r["firm_names"][:4]) + (" …" if len(r["firm_names"]) > 4 else "")
        lines.append(f"  {r['name'][:40]:<40} {r['stage']:<11} {len(r['firms']):>5}{mark} "
                     f"{'yes ' if r['covered_text_only'] else '—   '}  {names or '— uncovered'}")
    lines.append("  (! = a single firm: concentration risk)")
    lines.append("")
    for k, v in card["by_stage"].items():
        lines.append(f"  {k:<11} {v['segments_covered']}/{v['segments_total']} covered ({_pct(v['measured_share'])}); "
                     f"uncovered: {', '.join(s.split(':', 1)[1] for s in v['uncovered']) or '—'}")
    if card["conflicts"]:
        lines.append("")
        lines.append("  Contested locations (both statements kept):")
        for c in card["conflicts"]:
            parts = []
            for s in c["statements"]:
                src = (s["evidence"][0]["doc"] + " #" + str(s["evidence"][0]["sentence"])) if s["evidence"] else \
                    (s["sources"][0]["source"] if s["sources"] else s["method"])
                parts.append(f"{s['place_name']} ({s['method']}: {src})")
            lines.append(f"    {c['name']}: " + " vs ".join(parts))
    if diff:
        lines.append("")
        lines.append(f"  What-if with the added rosters: {_pct(diff['measured_share_before'])} → "
                     f"{_pct(diff['measured_share_after'])} ({diff['delta'] * 100:+.1f} pp)")
        for c in diff["closed"]:
            lines.append(f"    closes {c['segment'].split(':', 1)[1]}: {', '.join(c['firm_names'])}")
    return "\n".join(lines)


# ------------------------------------------------------------------------ the verdict and the what-if, in one wording
def _share(x: float) -> str:
    return f"{x * 100:.1f}%"


def _stated_share(x: float) -> str:
    return f"{x * 100:.3g}%"


def _firm_count(stated: dict | None) -> str:
    """'70+' for "70 or more", '~40' for "about 40", '70' for an exact count."""
    if not stated or stated.get("value") is None:
        return "?"
    n = f"{stated['value']:,.0f}"
    return {"at_least": n + "+", "more_than": n + "+", "about": "~" + n}.get(stated.get("qualifier"), n)


def coverage_verdict(card: dict, language: str = "English") -> str:
    """One sentence: what the text states, what the graph supports, and whether they agree.

    The measured share counts segments with at least one known firm, so while the graph knows fewer firms than the
    text counts, a measured share below the stated one is a lower bound (consistent); when the graph knows at least
    as many firms and still measures less, the statement is not supported. Used by the app and the CLI alike.

    Examples
    --------
    >>> from graph import build_graph
    >>> from graph.coverage import chain_coverage
    >>> print(coverage_verdict(chain_coverage(build_graph(), "zhangjiang")))  # doctest: +ELLIPSIS
    The text states about 60%; the graph supports at least ...% (... of 23 segments) from ... of 70+ firms: consistent, a lower bound.
    """
    from .render import ui  # the page's words (data/ui.yaml); no Streamlit there

    values = {"measured": _share(card["measured_share"]), "covered": card["segments_covered"],
              "total": card["segments_total"], "known": f"{card['firms_known']:,}"}
    stated = card.get("stated_share")
    if stated is None:
        return ui("verdict_unstated", language, region=card.get("region_name", card["region"]), **values)
    qualifier = (card.get("stated") or [{}])[0].get("qualifier") or "exact"
    form = {"about": "stated_about", "at_least": "stated_at_least", "more_than": "stated_at_least"}.get(
        qualifier, "stated_exact")
    values["stated"] = ui(form, language, value=_stated_share(stated))
    if card["measured_share"] >= stated - 1e-9:
        return ui("verdict_reached", language, **values)
    firms_stated = card.get("firms_stated")
    if firms_stated and firms_stated.get("value") and card["firms_known"] < firms_stated["value"]:
        return ui("verdict_lower_bound", language, firms=_firm_count(firms_stated), **values)
    return ui("verdict_below", language, gap=f"{(stated - card['measured_share']) * 100:.1f}", **values)


def roster_what_if(card: dict, language: str = "English") -> str:
    """What the catalogue and rosters add to what the texts alone support (the card's two readings)."""
    from .render import ui

    return ui("what_if_roster", language, text_share=_share(card["measured_share_text_only"]),
              text_covered=card["segments_covered_text_only"], total=card["segments_total"],
              text_firms=f"{card['firms_known_text_only']:,}", all_share=_share(card["measured_share"]),
              all_covered=card["segments_covered"], all_firms=f"{card['firms_known']:,}")


def upload_what_if(diff: dict, language: str = "English", segment_names: dict | None = None) -> str:
    """What added rosters changed (a :func:`graph.coverage.coverage_diff`), and which segments they closed."""
    from .render import ui

    names = segment_names or {}
    lines = [ui("what_if_upload", language, before=_share(diff["measured_share_before"]),
                after=_share(diff["measured_share_after"]), delta=f"{diff['delta'] * 100:+.1f}")]
    for c in diff["closed"]:
        lines.append("- " + ui("closes", language, segment=names.get(c["segment"], c["segment"].split(":", 1)[-1]),
                               firms=", ".join(c["firm_names"])))
    return "\n".join(lines)


def gap_rows(card: dict) -> list[dict]:
    """The segments to fill, in chain order: no firm (``uncovered``) first, then a single firm (``single``)."""
    rows = [{"segment": r["segment"], "name": r["name"], "stage": r["stage"],
             "status": "uncovered" if not r["firms"] else "single", "firms": len(r["firms"]),
             "firm_names": r["firm_names"]} for r in card["segments"] if len(r["firms"]) <= 1]
    return sorted(rows, key=lambda r: r["status"] != "uncovered")


def gaps_csv(card: dict, language: str = "English") -> bytes:
    """The gaps as a CSV (UTF-8 with BOM, formula cells neutralised): region, segment, name, stage, status, firms."""
    import csv
    import io

    from .export import neutralise_cell
    from .render import ui

    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["region", "segment", "name", "stage", "status", "firms"])
    for r in gap_rows(card):
        status = ui("gap_uncovered" if r["status"] == "uncovered" else "gap_single", language)
        w.writerow([neutralise_cell(x) for x in (card["region"], r["segment"].split(":", 1)[-1], r["name"],
                                                 r["stage"], status, "; ".join(r["firm_names"]))])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
