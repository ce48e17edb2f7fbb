"""Reports for people: the coverage scorecard as text (the CLI prints it; the app shows the same figures)."""

from __future__ import annotations


def _pct(x) -> str:
    return "—" if x is None else f"{x * 100:.1f}%"


def format_scorecard(card: dict, diff: dict | None = None) -> str:
    """The scorecard as a readable text table."""
    lines = [f"Chain coverage: {card['region_name']} ({card['region']})", ""]
    st = card["stated"][0] if card["stated"] else None
    lines.append(f"  stated share      {_pct(card['stated_share'])}"
                 + (f"   「{st['quote']}」 {st['doc']} #{st['sentence']}" if st else "   (no text states one)"))
    lines.append(f"  measured share    {_pct(card['measured_share'])}   all loaded: {card['segments_covered']}/"
                 f"{card['segments_total']} segments")
    lines.append(f"  texts alone       {_pct(card['measured_share_text_only'])}   "
                 f"{card['segments_covered_text_only']}/{card['segments_total']} segments")
    lines.append(f"  without contested {_pct(card['measured_share_without_conflicts'])}")
    if card["gap_pp"] is not None:
        lines.append(f"  gap               {card['gap_pp']:+.1f} percentage points (stated − measured)")
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
