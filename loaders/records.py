"""Plain records the loaders yield; graph/ turns them into nodes and edges.

Provenance has two typed, immutable records, like followthemoney's statements: :class:`Evidence` (a span of a loaded
document, ``quote == text[start:end]``) and :class:`Source` (a fact of data/ or a roster row). Both turn into the
plain dicts the graph stores with ``to_dict()``.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where a document says something: document id, sentence index, original offsets and the exact quote.

    Examples
    --------
    >>> Evidence("seed", 3, 10, 14, "张江科学城").to_dict()["sentence"]
    3
    """

    doc: str
    sentence: int
    start: int
    end: int
    quote: str

    def to_dict(self) -> dict:
        return {"doc": self.doc, "sentence": self.sentence, "start": self.start, "end": self.end, "quote": self.quote}

    def __getitem__(self, key: str):  # reads like the dict the graph stores (ev["sentence"])
        return getattr(self, key)


@dataclass(frozen=True, slots=True)
class Source:
    """Where a fact of data/ or a roster comes from: an address (or ``doc:<id>``), a quote, a file and line.

    Examples
    --------
    >>> Source("https://example.org", quote="(paraphrase) …").to_dict()
    {'source': 'https://example.org', 'quote': '(paraphrase) …'}
    """

    source: str
    quote: str = ""
    file: str = ""
    line: int | None = None

    def to_dict(self) -> dict:
        return source_dict(self.source, self.quote, self.file, self.line)

    def __getitem__(self, key: str):
        return getattr(self, key)

    def get(self, key: str, default=None):
        value = getattr(self, key, default)
        return default if value in ("", None) else value


def source_dict(source: str, quote: str = "", file: str = "", line: int | None = None) -> dict:
    """The plain dict of a :class:`Source` with these fields, without building the record (a roster has a million).

    Examples
    --------
    >>> source_dict("register", file="firms.csv", line=2)
    {'source': 'register', 'file': 'firms.csv', 'line': 2}
    """
    rec: dict = {"source": source}
    if quote:
        rec["quote"] = quote
    if file:
        rec["file"] = file
    if line is not None:
        rec["line"] = line
    return rec


def as_dict(record) -> dict:
    """The plain dict of an :class:`Evidence` or :class:`Source` (dicts pass through)."""
    return record if isinstance(record, dict) else record.to_dict()


@dataclass(slots=True)  # millions of them with a large roster: no __dict__ each
class Fact:
    """A sourced statement that links an entity to another node (segment, region, stage)."""

    target: str
    method: str  # curated, roster, taxonomy
    source: Source | dict = field(default_factory=dict)


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
    def evidence(self) -> Evidence:
        return Evidence(self.doc, self.sentence, self.start, self.end, self.quote)


@dataclass
class Relation:
    source: str
    type: str
    target: str
    method: str
    evidence: list[Evidence] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
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
    evidence: list[Evidence] = field(default_factory=list)
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
