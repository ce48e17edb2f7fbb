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
from .fold import fold, fold_many
from .paths import DATA_DIR
from .records import Entity, Fact, Source
from .yamlio import LINE_KEY, load_yaml, strip_lines

LANE_KINDS = ("context", "chain", "evidence")
QUALIFIERS = ("exact", "about", "at_least", "at_most")


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


class _NodeTypeModel(_Strict):
    color: str
    roles: list[str]
    lane: str
    description: str = ""

    @field_validator("color")
    @classmethod
    def _color_is_hex(cls, v):
        if not re.fullmatch(r"#[0-9a-fA-F]{6}", v):
            raise ValueError("colours are #rrggbb")
        return v


class _EdgeTypeModel(_Strict):
    sources: list[str]
    targets: list[str]
    description: str = ""


class _NamesModel(_Strict):
    name_en: str
    name_zh: str
    name_ja: str


class _GroupModel(_NamesModel):
    source: str
    match_names: bool = True


class _DefaultRegionModel(_Strict):
    from_documents: bool = True
    fallback: str


class _MakersModel(_Strict):
    stages: list[str] = []
    segments: list[str] = []


class _CoverageChoicesModel(_Strict):
    stated_share_metric: str
    firm_count_metric: str
    makers_count_metric: str
    makers: _MakersModel


class _NameRulesModel(_Strict):
    place_prefixes: list[str] = []
    legal_suffixes: list[str] = []


class _AnalysisModel(_Strict):
    default_region: _DefaultRegionModel
    coverage: _CoverageChoicesModel
    names: _NameRulesModel


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
    document: Literal["always", "targets"] = "always"  # when the document's subject stands in (loaders.subjects)
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
        raise InputError(f"{what} {ident!r}: {err['msg']}".replace(" '': ", ": "), path=path,
                         line=raw.get(LINE_KEY), field=loc) from exc


def _check(value: str, valid, what: str, path: Path, line, fld: str) -> str:
    """Raise unless ``value`` is one of ``valid``; the error lists the valid values."""
    if value not in valid:
        shown = sorted(valid)
        listing = ", ".join(map(str, shown[:40])) + (" …" if len(shown) > 40 else "")
        raise InputError(f"unknown {what} {value!r}; valid: {listing}", path=path, line=line, field=fld)
    return value


def _source_record(source: str, quote: str = "") -> Source:
    return Source(source, quote)


@dataclass
class Catalogue:
    """Everything in data/, validated as a whole. ``entities`` holds catalogue entities, segments and stages by id.

    Code asks the model instead of keeping its own lists: :meth:`types_with` for the node types of a role
    (data/schema.yaml), :meth:`lanes` for the drawing's lanes, :attr:`analysis` for the analysis choices
    (data/analysis.yaml).
    """

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
    segment_groups: dict = field(default_factory=dict)
    analysis: dict = field(default_factory=dict)
    _alias_index: dict[str, str] | None = field(default=None, repr=False)
    _typed_index: dict[str, dict[str, str]] | None = field(default=None, repr=False)

    @property
    def node_types(self) -> list[str]:
        return list(self.schema["node_types"])

    @property
    def edge_types(self) -> list[str]:
        return list(self.schema["edge_types"])

    def types_with(self, role: str) -> tuple[str, ...]:
        """The node types that have ``role`` in data/schema.yaml, in schema order.

        Examples
        --------
        >>> load_catalogue().types_with("organisation")
        ('Company', 'Institution')
        """
        return types_with(self.schema, role)

    def segments(self) -> list[Entity]:
        seg_types = self.types_with("segment")
        return [e for e in self.entities.values() if e.type in seg_types]

    def stages(self) -> list[Entity]:
        stage_types = self.types_with("stage")
        return sorted((e for e in self.entities.values() if e.type in stage_types), key=lambda e: e.attrs["order"])

    def lanes(self) -> list[dict]:
        """The drawing's lanes, left to right: context, one per stage (in taxonomy order), evidence.

        Each lane is ``{"id", "name_en", "name_zh", "name_ja"}``; a stage lane's id is the stage id (``upstream``).
        """
        spec = self.schema["lanes"]
        stages = [{"id": e.id.split(":", 1)[1], "name_en": e.name_en, "name_zh": e.name_zh, "name_ja": e.name_ja}
                  for e in self.stages()]
        return [{"id": "context", **spec["context"]}, *stages, {"id": "evidence", **spec["evidence"]}]

    def matchable_entities(self) -> list[Entity]:
        """Entities whose names are looked for in texts: catalogue entities first (they win a shared alias), then
        the segments whose group is matched by name (data/taxonomy.yaml ``groups``)."""
        matchable = set(self.types_with("matchable"))
        seg_types = set(self.types_with("segment"))
        first = [e for e in self.entities.values() if e.type in matchable and e.type not in seg_types]
        segs = [e for e in self.segments()
                if self.segment_groups.get(e.attrs.get("group"), {}).get("match_names", True)]
        return first + segs

    def regions(self) -> list[Entity]:
        places = self.types_with("place")
        return [e for e in self.entities.values() if e.type in places]

    def metric(self, metric_id: str) -> dict | None:
        """The rule of a metric of data/claims.yaml (the first one with that id)."""
        return next((m for m in self.metric_rules if m["metric"] == metric_id), None)

    def alias_index(self) -> dict[str, str]:
        """Folded name or alias -> entity id, for entities, then segments and stages (entities win a clash)."""
        if self._alias_index is None:
            categories = set(self.types_with("segment") + self.types_with("stage"))
            index: dict[str, str] = {}
            named = [(e.id, n) for e in sorted(self.entities.values(), key=lambda e: e.type in categories)
                     for n in e.all_names() + [e.id]]
            for (eid, _), key in zip(named, fold_many([n for _, n in named])):  # one fold call for all names
                index.setdefault(key, eid)
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
            named = [(e, n) for e in self.entities.values() for n in e.all_names() + [e.id]]
            for (e, _), key in zip(named, fold_many([n for _, n in named])):  # one fold call for all names
                index.setdefault(e.type, {}).setdefault(key, e.id)
            self._typed_index = index
        return self._typed_index


def types_with(schema: dict, role: str) -> tuple[str, ...]:
    """The node types of ``schema`` (data/schema.yaml, as loaded) that have ``role``."""
    if role not in schema["roles"]:
        raise KeyError(f"unknown role {role!r}; roles: {', '.join(schema['roles'])}")
    return tuple(t for t, spec in schema["node_types"].items() if role in spec["roles"])


def _load_schema(data_dir: Path) -> dict:
    path = data_dir / "schema.yaml"
    raw = load_yaml(path)
    for key in ("roles", "lanes", "node_types", "edge_types", "node_attributes", "edge_attributes", "methods"):
        if key not in raw:
            raise InputError(f"missing section '{key}'", path=path, field=key)
    roles = set(strip_lines(raw["roles"]))
    for name, spec in raw["node_types"].items():
        if name == LINE_KEY:
            continue
        line = spec.get(LINE_KEY) if isinstance(spec, dict) else None
        if not re.fullmatch(r"[A-Z][A-Za-z]+", name):
            raise InputError(f"node type {name!r} is not PascalCase", path=path, line=line, field="node_types")
        m = _validate(_NodeTypeModel, spec if isinstance(spec, dict) else {}, path, f"node type {name}")
        for r in m.roles:
            _check(r, roles, "role", path, line, f"node_types.{name}.roles")
        _check(m.lane, LANE_KINDS, "lane", path, line, f"node_types.{name}.lane")
    for lane in ("context", "evidence"):
        _validate(_NamesModel, raw["lanes"].get(lane) or {}, path, f"lane {lane}")
    node_types = [t for t in raw["node_types"] if t != LINE_KEY]
    for name, spec in raw["edge_types"].items():
        if name == LINE_KEY:
            continue
        line = spec.get(LINE_KEY) if isinstance(spec, dict) else None
        if not re.fullmatch(r"[A-Z][A-Z_]+", name):
            raise InputError(f"edge type {name!r} is not UPPER_SNAKE_CASE", path=path, line=line, field="edge_types")
        m = _validate(_EdgeTypeModel, spec if isinstance(spec, dict) else {}, path, f"edge type {name}")
        for end in ("sources", "targets"):
            for t in getattr(m, end):
                _check(t, node_types, "node type", path, line, f"edge_types.{name}.{end}")
    schema = strip_lines(raw)
    for role in roles:
        if not types_with(schema, role):
            raise InputError(f"no node type has the role {role!r}; give it to a type or remove it", path=path,
                             field="roles")
    return schema


def _load_taxonomy(data_dir: Path, entities: dict[str, Entity]) -> tuple[dict, dict[str, float], dict]:
    path = data_dir / "taxonomy.yaml"
    raw = load_yaml(path)
    sources = strip_lines(raw.get("sources", {}))
    weights: dict[str, float] = {}
    groups = {}
    for gid, spec in (raw.get("groups") or {}).items():
        if gid == LINE_KEY:
            continue
        m = _validate(_GroupModel, spec if isinstance(spec, dict) else {}, path, f"group {gid}")
        _check(m.source, sources, "source", path, spec.get(LINE_KEY), f"groups.{gid}.source")
        groups[gid] = m.model_dump()

    def source_of(key: str) -> dict:
        s = sources.get(key, {})
        return Source(s.get("url", key), s.get("title", ""))

    for st in raw.get("stages", []):
        m = _validate(_StageModel, st, path, "stage")
        _check(m.source, sources, "source", path, st.get(LINE_KEY), "source")
        entities[f"stage:{m.id}"] = Entity(id=f"stage:{m.id}", type="Stage", name_en=m.name_en, name_zh=m.name_zh,
                                           name_ja=m.name_ja, sources=[source_of(m.source)],
                                           attrs={"order": m.order}, origin="taxonomy")
    stage_ids = [e.split(":", 1)[1] for e in entities if e.startswith("stage:")]
    for sg in raw.get("segments", []):
        m = _validate(_SegmentModel, sg, path, "segment")
        line = sg.get(LINE_KEY)
        _check(m.stage, stage_ids, "stage", path, line, "stage")
        _check(m.group, groups, "group", path, line, "group")
        _check(m.source, sources, "source", path, line, "source")
        sid = f"segment:{m.id}"
        if sid in entities:
            raise InputError(f"duplicate segment id {m.id!r}", path=path, line=line, field="id")
        entities[sid] = Entity(id=sid, type="Segment", name_en=m.name_en, name_zh=m.name_zh, name_ja=m.name_ja,
                               aliases=list(m.aliases), sources=[source_of(m.source)],
                               part_of=[Fact(f"stage:{m.stage}", "taxonomy", source_of(m.source))],
                               attrs={"stage": m.stage, "group": m.group, "chain_weight": m.weight},
                               origin="taxonomy")
        weights[sid] = m.weight
    return sources, weights, groups


def _load_entities(data_dir: Path, entities: dict[str, Entity], schema: dict) -> list[str]:
    path = data_dir / "entities.yaml"
    raw = load_yaml(path)  # its "sources" section only defines YAML anchors that entities refer to
    entity_types = types_with(schema, "entity")
    pending = []
    for item in raw.get("entities", []):
        m = _validate(_EntityModel, item, path, "entity")
        line = item.get(LINE_KEY)
        _check(m.type, entity_types, "entity type", path, line, "type")
        if m.id in entities:
            raise InputError(f"duplicate entity id {m.id!r}", path=path, line=line, field="id")
        attrs = {k: v for k, v in (("level", m.level), ("note", m.note)) if v}
        ent = Entity(id=m.id, type=m.type, name_en=m.name_en, name_zh=m.name_zh, name_ja=m.name_ja,
                     aliases=list(m.aliases), attrs=attrs, sources=[Source(path.name)])
        for f in m.segments:
            ent.segments.append(Fact(f"segment:{f.id}", "taxonomy" if f.source == "taxonomy" else "curated",
                                     _source_record(f.source, f.quote)))
        for f in m.located_in:
            ent.located_in.append(Fact(f.id, "curated", _source_record(f.source, f.quote)))
        for f in m.part_of:
            ent.part_of.append(Fact(f.id, "curated", _source_record(f.source, f.quote)))
        entities[m.id] = ent
        pending.append((ent, line))
    # References resolve once every entity is known, each to an entity of a type the relation allows.
    places = types_with(schema, "place")
    segment_types = types_with(schema, "segment")
    for ent, line in pending:
        for facts, fld, wanted in ((ent.segments, "segments", segment_types), (ent.located_in, "located_in", places),
                                   (ent.part_of, "part_of", places)):
            for fact in facts:
                target = entities.get(fact.target)
                if target is None or target.type not in wanted:
                    short = fld == "segments"  # segments are written without their "segment:" prefix
                    valid = [e.id.split(":", 1)[1] if short else e.id for e in entities.values() if e.type in wanted]
                    _check(fact.target.split(":", 1)[1] if short else fact.target, valid,
                           f"{fld} reference of {ent.id!r}", path, line, fld)
    return [str(s) for s in raw.get("stop_phrases", [])]


def _load_relations(path: Path, schema: dict, entities: dict[str, Entity]) -> tuple[list, list, list]:
    rel = load_yaml(path)
    edge_types = schema["edge_types"]
    policy_types = types_with(schema, "policy")
    rules = []
    for r in rel.get("rules", []):
        m = _validate(_RuleModel, r, path, "rule")
        line = r.get(LINE_KEY)
        _check(m.type, edge_types, "edge type", path, line, "type")
        spec = edge_types[m.type]
        for t in m.source_types:
            _check(t, spec["sources"], f"source type of {m.type}", path, line, "source_types")
        for t in m.target_types:
            _check(t, spec["targets"], f"target type of {m.type}", path, line, "target_types")
        if m.source == "document_policy" and not set(policy_types) & set(spec["sources"]):
            raise InputError(f"rule {m.id!r}: {m.type} cannot start at a policy ({'/'.join(policy_types)})",
                             path=path, line=line, field="source")
        if not m.source and not m.source_types:
            raise InputError(f"rule {m.id!r} names no source_types", path=path, line=line, field="source_types")
        rules.append(m.model_dump())
    curated = []
    for c in rel.get("curated", []):
        m = _validate(_CuratedModel, c, path, "curated relation")
        line = c.get(LINE_KEY)
        _check(m.type, edge_types, "edge type", path, line, "type")
        for end, fld in ((m.source, "source"), (m.target, "target")):
            _check(end, entities, "entity", path, line, fld)
            allowed = edge_types[m.type][fld + "s"]
            _check(entities[end].type, allowed, f"{fld} type of {m.type} (entity {end!r})", path, line, fld)
        curated.append(m.model_dump())
    return rules, curated, [str(x) for x in strip_lines(rel.get("clause_breaks", []))]


def _load_claims(path: Path, schema: dict) -> tuple[dict, list[dict]]:
    cl = load_yaml(path)
    node_types = schema["node_types"]
    metrics = []
    for item in cl.get("metrics", []):
        m = _validate(_MetricModel, item, path, "metric")
        line = item.get(LINE_KEY)
        for fld in ("subject_types", "members"):
            for t in getattr(m, fld):
                _check(t, node_types, "node type", path, line, fld)
        if m.qualifier is not None:
            _check(m.qualifier, QUALIFIERS, "qualifier", path, line, "qualifier")
        metrics.append(m.model_dump())
    return strip_lines(cl.get("lexicon", {})), metrics


def _load_disputes(path: Path, entities: dict[str, Entity], metrics: list[dict]) -> list[dict]:
    disputes = []
    if not path.exists():
        return disputes
    metric_ids = {m["metric"] for m in metrics}
    for item in load_yaml(path).get("disputes", []):
        m = _validate(_DisputeModel, item, path, "dispute")
        line = item.get(LINE_KEY)
        _check(m.subject, entities, "entity", path, line, "subject")
        _check(m.metric, metric_ids, "metric", path, line, "metric")
        if m.qualifier is not None:
            _check(m.qualifier, QUALIFIERS, "qualifier", path, line, "qualifier")
        disputes.append(m.model_dump())
    return disputes


def _load_analysis(path: Path, schema: dict, entities: dict[str, Entity], metrics: list[dict],
                   groups: dict) -> dict:
    raw = load_yaml(path)
    m = _validate(_AnalysisModel, raw, path, "analysis choices")
    places = types_with(schema, "place")
    dr = raw.get("default_region") or {}
    _check(m.default_region.fallback, [e for e, ent in entities.items() if ent.type in places], "place", path,
           dr.get(LINE_KEY), "default_region.fallback")
    cov = raw.get("coverage") or {}
    metric_ids = {x["metric"] for x in metrics}
    for fld in ("stated_share_metric", "firm_count_metric", "makers_count_metric"):
        _check(getattr(m.coverage, fld), metric_ids, "metric", path, cov.get(LINE_KEY), f"coverage.{fld}")
    makers = cov.get("makers") or {}
    stage_types, seg_types = types_with(schema, "stage"), types_with(schema, "segment")
    stages = [e.split(":", 1)[1] for e, ent in entities.items() if ent.type in stage_types]
    segments = [e.split(":", 1)[1] for e, ent in entities.items() if ent.type in seg_types]
    for s in m.coverage.makers.stages:
        _check(s, stages, "stage", path, makers.get(LINE_KEY), "coverage.makers.stages")
    for s in m.coverage.makers.segments:
        _check(s, segments, "segment", path, makers.get(LINE_KEY), "coverage.makers.segments")
    return m.model_dump()


@lru_cache(maxsize=4)
def _load_catalogue_cached(data_dir: str) -> Catalogue:
    d = Path(data_dir)
    schema = _load_schema(d)
    entities: dict[str, Entity] = {}
    tax_sources, weights, groups = _load_taxonomy(d, entities)
    stop_phrases = _load_entities(d, entities, schema)
    rules, curated, clause_breaks = _load_relations(d / "relations.yaml", schema, entities)
    lexicon, metrics = _load_claims(d / "claims.yaml", schema)
    disputes = _load_disputes(d / "disputes.yaml", entities, metrics)
    analysis = _load_analysis(d / "analysis.yaml", schema, entities, metrics, groups)
    return Catalogue(schema=schema, entities=entities, stop_phrases=stop_phrases, relation_rules=rules,
                     curated_relations=curated, clause_breaks=clause_breaks, claim_lexicon=lexicon,
                     metric_rules=metrics, disputes=disputes, segment_weights=weights, taxonomy_sources=tax_sources,
                     data_dir=d, segment_groups=groups, analysis=analysis)


def load_catalogue(data_dir: Path | str | None = None) -> Catalogue:
    """Load data/ and check it as a whole (cached per directory; treat the result as read-only).

    Every cross-reference (types in rules, metrics and relations; stages, groups and sources of segments; places and
    segments of entities; dispute metrics and subjects; the analysis choices) is resolved here: a bad one raises
    :class:`InputError` naming the file, line, field and the valid values.

    Examples
    --------
    >>> cat = load_catalogue()
    >>> cat.resolve("智元機器人"), cat.resolve("Zhiyuan Robotics")
    ('agibot', 'agibot')
    """
    if not data_dir:  # the common case, called per node by layouts: resolve the default folder once
        return _load_catalogue_cached(_default_data_dir())
    return _load_catalogue_cached(str(Path(data_dir).resolve()))


@lru_cache(maxsize=1)
def _default_data_dir() -> str:
    return str(Path(DATA_DIR).resolve())
