"""Display helpers: values, claim names and sentences as people read them (used by the builder, CLI and app)."""

from __future__ import annotations

import networkx as nx

from loaders.quantities import QUALIFIER_SYMBOL
from loaders.records import Claim


def format_value(value, unit: str | None = None, date: str | None = None) -> str:
    """A claim's value for people: shares as percentages, money and counts with thousands separators.

    Examples
    --------
    >>> format_value(0.6, "share_of_chain"), format_value(5e10, "CNY"), format_value(1/3, "share_of_national")
    ('60%', '50,000,000,000', '33.3%')
    >>> format_value(None, "date", "2027-12"), format_value(70.0, "firms")
    ('2027-12', '70')
    """
    if date:
        return str(date)
    if value is None:
        return ""
    if unit and unit.startswith("share"):
        return f"{value * 100:.3g}%"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.4g}"


def describe_claim(claim: Claim, names: dict[str, str]) -> str:
    """A short display name: 'Zhangjiang · firm_count ≥70 firms'."""
    subject = ", ".join(names.get(s, s) for s in claim.subjects[:3]) + (" …" if len(claim.subjects) > 3 else "")
    if claim.kind == "date":
        value = claim.date
    else:
        unit = "" if claim.kind == "share" else f" {claim.unit}"
        value = QUALIFIER_SYMBOL.get(claim.qualifier, "") + format_value(claim.value, claim.unit) + unit
    return f"{subject + ' · ' if subject else ''}{claim.metric} {value}".strip()


def sentence_text(G: nx.MultiDiGraph, doc: str, index: int) -> str:
    """The text of sentence ``index`` of document ``doc`` in a graph built by :func:`graph.build_graph`."""
    d = G.graph.get("document_texts", {}).get(doc)
    if not d or not 0 <= index < len(d["sentences"]):
        return ""
    s, e = d["sentences"][index]
    return d["text"][s:e]
