"""Plain records the loaders yield; graph/ turns them into nodes and edges.

Evidence from a document is ``{"doc", "sentence", "start", "end", "quote"}`` with ``quote == text[start:end]``.
A source from data/ or a roster is ``{"source", "quote"?, "file"?, "line"?}``.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Fact:
    """A sourced statement that links an entity to another node (segment, region, stage)."""

    target: str
    method: str  # curated, roster, taxonomy
    source: dict = field(default_factory=dict)


@dataclass
class Entity:
    id: str
    type: str
    name_en: str = ""
    name_zh: str = ""
    name_ja: str = ""
    aliases: list[str] = field(default_factory=list)
    segments: list[Fact] = field(default_factory=list)
    located_in: list[Fact] = field(default_factory=list)
    part_of: list[Fact] = field(default_factory=list)
    sources: list[dict] = field(default_factory=list)
    attrs: dict = field(default_factory=dict)  # level, stage, group, order, note, uncertain, description
    origin: str = "catalogue"  # catalogue, taxonomy, roster

    @property
    def name(self) -> str:
        return self.name_en or self.name_zh or self.name_ja or self.id

    def all_names(self) -> list[str]:
        seen, out = set(), []
        for n in [self.name_en, self.name_zh, self.name_ja, *self.aliases]:
            if n and n not in seen:
                seen.add(n)
                out.append(n)
        return out


@dataclass(slots=True)
class Mention:
    entity: str
    doc: str
    sentence: int
    start: int
    end: int
    quote: str

    @property
    def evidence(self) -> dict:
        return {"doc": self.doc, "sentence": self.sentence, "start": self.start, "end": self.end, "quote": self.quote}


@dataclass
class Relation:
    source: str
    type: str
    target: str
    method: str
    evidence: list[dict] = field(default_factory=list)
    sources: list[dict] = field(default_factory=list)
    attrs: dict = field(default_factory=dict)


@dataclass
class Claim:
    """A quantity stated by a text: value in base units (0.6 for 60%, 5e10 for 500億元)."""

    id: str
    metric: str
    value: float | None
    unit: str
    qualifier: str  # at_least, about, at_most, exact
    text: str  # the quantity as written
    doc: str | None
    evidence: list[dict] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)
    subject_from: str = ""  # sentence, previous_sentence, policy, catalogue
    members: list[str] = field(default_factory=list)
    date: str = ""
    target: bool = False
    subsidy: str = ""  # rate or cap
    kind: str = ""  # count, share, money, date
    sources: list[dict] = field(default_factory=list)
    attrs: dict = field(default_factory=dict)

    @property
    def sentence(self) -> int | None:
        return self.evidence[0]["sentence"] if self.evidence else None
