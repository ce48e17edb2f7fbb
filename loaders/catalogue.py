"""Reads the declarative knowledge in data/: schema, taxonomy, entity catalogue, relation and claim rules, disputes.

Everything is validated on load; a bad entry raises :class:`InputError` naming the file, line and field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from .errors import InputError
from .fold import fold
from .paths import DATA_DIR
from .records import Entity, Fact
from .yamlio import LINE_KEY, load_yaml, strip_lines

ENTITY_NODE_TYPES = ("Region", "Cluster", "Company", "Institution", "Product", "Dataset", "Platform",
                     "TechDirection", "Scene", "Policy")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _FactModel(_Strict):
    id: str
    source: str
    quote: str = ""


class _EntityModel(_Strict):
    id: str
    type: str
    name_en: str
    name_zh: str
    name_ja: str
    aliases: list[str] = []
    level: str | None = None
    note: str | None = None
    part_of: list[_FactModel] = []
    located_in: list[_FactModel] = []
    segments: list[_FactModel] = []

    @field_validator("id")
    @classmethod
    def _id_is_slug(cls, v):
        if not re.fullmatch(r"[a-z0-9_]+", v):
            raise ValueError("ids are lower-case letters, digits and underscores")
        return v

    @field_validator("aliases", mode="before")
    @classmethod
    def _aliases_are_strings(cls, v):
        return [str(a) for a in (v or [])]


class _SegmentModel(_Strict):
    id: str
    stage: str
    group: str
    source: str
    name_en: str
    name_zh: str
    name_ja: str
    aliases: list[str] = []
    weight: float = 1.0


class _StageModel(_Strict):
    id: str
    order: int
    source: str
    name_en: str
    name_zh: str
    name_ja: str


class _RuleModel(_Strict):
    id: str
    type: str
    source_types: list[str] = []
    source: Literal["document_policy"] | None = None
    target_types: list[str]
    anchor: Literal["source", "target"] = "target"
    order: Literal["source_first", "target_first", "any"] = "any"
    cues: list[str]
    scope: Literal["clause", "sentence"] = "clause"


class _CuratedModel(_Strict):
    source: str
    type: str
    target: str
    source_url: str
    quote: str


class _MetricModel(_Strict):
    metric: str
    kinds: list[Literal["count", "share", "money", "date"]]
    unit: str | None = None
    subject: Literal["nearest", "all", "policy"] = "nearest"
    subject_types: list[str] = []
    members: list[str] = []
    target: bool = False
    subsidy: Literal["rate", "cap"] | None = None
    qualifier: str | None = None
    before: list[str] = []
    after: list[str] = []
    either: list[str] = []
    counters: list[str] = []
    full_date_only: bool = False
    scope: Literal["clause", "sentence"] = "clause"


class _DisputeModel(_Strict):
    id: str
    metric: str
    subject: str
    statement: str
    source: str
    value: float | None = None
    unit: str | None = None
    qualifier: str | None = None
    date: str | None = None
    note: str | None = None


def _validate(model, raw: dict, path: Path, what: str):
    try:
        return model.model_validate(strip_lines(raw))
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"])
        ident = raw.get("id") or raw.get("metric") or ""
        raise InputError(f"{what} {ident!r}: {err['msg']}", path=path, line=raw.get(LINE_KEY), field=loc) from exc


def _source_record(source: str, quote: str = "") -> dict:
    rec = {"source": source}
    if quote:
        rec["quote"] = quote
    return rec


@dataclass
class Catalogue:
    """Everything in data/, validated. ``entities`` holds catalogue entities, segments and stages by id."""

    schema: dict
    entities: dict[str, Entity]
    stop_phrases: list[str]
    relation_rules: list[dict]
    curated_relations: list[dict]
    clause_breaks: list[str]
    claim_lexicon: dict
    metric_rules: list[dict]
    disputes: list[dict]
    segment_weights: dict[str, float]
    taxonomy_sources: dict
    data_dir: Path
    _alias_index: dict[str, str] | None = field(default=None, repr=False)
    _typed_index: dict[str, dict[str, str]] | None = field(default=None, repr=False)

    @property
    def node_types(self) -> list[str]:
        return list(self.schema["node_types"])

    @property
    def edge_types(self) -> list[str]:
        return list(self.schema["edge_types"])

    def segments(self) -> list[Entity]:
        return [e for e in self.entities.values() if e.type == "Segment"]

    def stages(self) -> list[Entity]:
        return sorted((e for e in self.entities.values() if e.type == "Stage"), key=lambda e: e.attrs["order"])

    def matchable_entities(self) -> list[Entity]:
        """Entities whose names are looked for in texts: catalogue entities first (they win a shared alias), then
        upstream and midstream segments. Stages and downstream segments are categories, found through their scenes."""
        first = [e for e in self.entities.values() if e.type not in ("Segment", "Stage")]
        segs = [e for e in self.segments() if e.attrs.get("group") != "scene"]
        return first + segs

    def regions(self) -> list[Entity]:
        return [e for e in self.entities.values() if e.type in ("Region", "Cluster")]

    def alias_index(self) -> dict[str, str]:
        """Folded name or alias -> entity id, for entities, then segments and stages (entities win a clash)."""
        if self._alias_index is None:
            index: dict[str, str] = {}
            for e in sorted(self.entities.values(), key=lambda e: e.type in ("Segment", "Stage")):
                for n in e.all_names() + [e.id]:
                    index.setdefault(fold(n), e.id)
            self._alias_index = index
        return self._alias_index

    def resolve(self, name: str, types: tuple[str, ...] | None = None) -> str | None:
        """The id of the entity with this id, name or alias (any language), optionally of given types."""
        if name in self.entities and (types is None or self.entities[name].type in types):
            return name
        key = fold(name.strip())
        eid = self.alias_index().get(key)
        if eid and (types is None or self.entities[eid].type in types):
            return eid
        if types:  # the name may belong to an entity of the wanted type that lost a clash in the shared index
            for t in types:
                eid = self.typed_index().get(t, {}).get(key)
                if eid:
                    return eid
        return None

    def typed_index(self) -> dict[str, dict[str, str]]:
        """Node type -> folded name, alias or id -> entity id."""
        if self._typed_index is None:
            index: dict[str, dict[str, str]] = {}
            for e in self.entities.values():
                names = index.setdefault(e.type, {})
                for n in e.all_names() + [e.id]:
                    names.setdefault(fold(n), e.id)
            self._typed_index = index
        return self._typed_index


def _load_schema(data_dir: Path) -> dict:
    path = data_dir / "schema.yaml"
    schema = strip_lines(load_yaml(path))
    for key in ("node_types", "edge_types", "node_attributes", "edge_attributes", "methods"):
        if key not in schema:
            raise InputError(f"missing section '{key}'", path=path, field=key)
    for name in schema["node_types"]:
        if not re.fullmatch(r"[A-Z][A-Za-z]+", name):
            raise InputError(f"node type {name!r} is not PascalCase", path=path, field="node_types")
    for name, spec in schema["edge_types"].items():
        if not re.fullmatch(r"[A-Z][A-Z_]+", name):
            raise InputError(f"edge type {name!r} is not UPPER_SNAKE_CASE", path=path, field="edge_types")
        for t in spec["sources"] + spec["targets"]:
            if t not in schema["node_types"]:
                raise InputError(f"edge type {name} names unknown node type {t!r}", path=path, field=name)
    return schema


def _load_taxonomy(data_dir: Path, entities: dict[str, Entity]) -> tuple[dict, dict[str, float]]:
    path = data_dir / "taxonomy.yaml"
    raw = load_yaml(path)
    sources = strip_lines(raw.get("sources", {}))
    weights: dict[str, float] = {}

    def source_of(key: str) -> dict:
        s = sources.get(key, {})
        return {"source": s.get("url", key), "quote": s.get("title", "")}

    for st in raw.get("stages", []):
        m = _validate(_StageModel, st, path, "stage")
        entities[f"stage:{m.id}"] = Entity(id=f"stage:{m.id}", type="Stage", name_en=m.name_en, name_zh=m.name_zh,
                                           name_ja=m.name_ja, sources=[source_of(m.source)],
                                           attrs={"order": m.order}, origin="taxonomy")
    for sg in raw.get("segments", []):
        m = _validate(_SegmentModel, sg, path, "segment")
        stage_id = f"stage:{m.stage}"
        if stage_id not in entities:
            raise InputError(f"segment {m.id!r} names unknown stage {m.stage!r}", path=path, line=sg.get(LINE_KEY),
                             field="stage")
        sid = f"segment:{m.id}"
        entities[sid] = Entity(id=sid, type="Segment", name_en=m.name_en, name_zh=m.name_zh, name_ja=m.name_ja,
                               aliases=list(m.aliases), sources=[source_of(m.source)],
                               part_of=[Fact(stage_id, "taxonomy", source_of(m.source))],
                               attrs={"stage": m.stage, "group": m.group, "chain_weight": m.weight},
                               origin="taxonomy")
        weights[sid] = m.weight
    return sources, weights


def _load_entities(data_dir: Path, entities: dict[str, Entity], schema: dict) -> list[str]:
    path = data_dir / "entities.yaml"
    raw = load_yaml(path)  # its "sources" section only defines YAML anchors that entities refer to
    pending = []
    for item in raw.get("entities", []):
        m = _validate(_EntityModel, item, path, "entity")
        line = item.get(LINE_KEY)
        if m.type not in ENTITY_NODE_TYPES:
            raise InputError(f"entity {m.id!r} has type {m.type!r}; valid types: {', '.join(ENTITY_NODE_TYPES)}",
                             path=path, line=line, field="type")
        if m.id in entities:
            raise InputError(f"duplicate entity id {m.id!r}", path=path, line=line, field="id")
        attrs = {k: v for k, v in (("level", m.level), ("note", m.note)) if v}
        ent = Entity(id=m.id, type=m.type, name_en=m.name_en, name_zh=m.name_zh, name_ja=m.name_ja,
                     aliases=list(m.aliases), attrs=attrs, sources=[{"source": str(path.name)}])
        for f in m.segments:
            ent.segments.append(Fact(f"segment:{f.id}", "taxonomy" if f.source == "taxonomy" else "curated",
                                     _source_record(f.source, f.quote)))
        for f in m.located_in:
            ent.located_in.append(Fact(f.id, "curated", _source_record(f.source, f.quote)))
        for f in m.part_of:
            ent.part_of.append(Fact(f.id, "curated", _source_record(f.source, f.quote)))
        entities[m.id] = ent
        pending.append((ent, line))
    for ent, line in pending:  # references resolve once every entity is known
        for fact, fld in [(f, "segments") for f in ent.segments] + [(f, "located_in") for f in ent.located_in] + \
                         [(f, "part_of") for f in ent.part_of]:
            if fact.target not in entities:
                raise InputError(f"entity {ent.id!r} refers to unknown id {fact.target!r}", path=path, line=line,
                                 field=fld)
    return [str(s) for s in raw.get("stop_phrases", [])]


@lru_cache(maxsize=4)
def _load_catalogue_cached(data_dir: str) -> Catalogue:
    d = Path(data_dir)
    schema = _load_schema(d)
    entities: dict[str, Entity] = {}
    tax_sources, weights = _load_taxonomy(d, entities)
    stop_phrases = _load_entities(d, entities, schema)

    rel_path = d / "relations.yaml"
    rel = load_yaml(rel_path)
    rules = []
    for r in rel.get("rules", []):
        m = _validate(_RuleModel, r, rel_path, "rule")
        if m.type not in schema["edge_types"]:
            raise InputError(f"rule {m.id!r}: unknown edge type {m.type!r}", path=rel_path, line=r.get(LINE_KEY),
                             field="type")
        rules.append(m.model_dump())
    curated = []
    for c in rel.get("curated", []):
        m = _validate(_CuratedModel, c, rel_path, "curated relation")
        for end in (m.source, m.target):
            if end not in entities:
                raise InputError(f"curated relation names unknown entity {end!r}", path=rel_path,
                                 line=c.get(LINE_KEY), field="source/target")
        curated.append(m.model_dump())

    cl_path = d / "claims.yaml"
    cl = load_yaml(cl_path)
    metrics = [_validate(_MetricModel, m, cl_path, "metric").model_dump() for m in cl.get("metrics", [])]

    disputes = []
    dp_path = d / "disputes.yaml"
    if dp_path.exists():
        for item in load_yaml(dp_path).get("disputes", []):
            m = _validate(_DisputeModel, item, dp_path, "dispute")
            if m.subject not in entities:
                raise InputError(f"dispute {m.id!r} is about unknown entity {m.subject!r}", path=dp_path,
                                 line=item.get(LINE_KEY), field="subject")
            disputes.append(m.model_dump())

    return Catalogue(schema=schema, entities=entities, stop_phrases=stop_phrases, relation_rules=rules,
                     curated_relations=curated, clause_breaks=[str(x) for x in strip_lines(rel.get("clause_breaks", []))],
                     claim_lexicon=strip_lines(cl.get("lexicon", {})), metric_rules=metrics, disputes=disputes,
                     segment_weights=weights, taxonomy_sources=tax_sources, data_dir=d)


def load_catalogue(data_dir: Path | str | None = None) -> Catalogue:
    """Load and validate data/ (cached per directory; treat the result as read-only).

    Examples
    --------
    >>> cat = load_catalogue()
    >>> cat.resolve("智元機器人"), cat.resolve("Zhiyuan Robotics")
    ('agibot', 'agibot')
    """
    return _load_catalogue_cached(str(Path(data_dir or DATA_DIR).resolve()))
