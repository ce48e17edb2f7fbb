"""Assembling the ecosystem graph from the records of loaders/.

The result is a plain :class:`networkx.MultiDiGraph` whose node and edge attributes follow data/schema.yaml (see the
README's "Graph schema"). Edges are aggregated: one edge per (source, target, type, method), carrying every piece of
evidence and ``weight`` = how many there are.
"""

from __future__ import annotations

import gc
import os
from collections import defaultdict
from contextlib import contextmanager
from collections.abc import Iterable

import networkx as nx

from loaders.catalogue import Catalogue, load_catalogue
from loaders.discover import discover
from loaders.gazetteer import add_referenced_places, places_for
from loaders.errors import InputError
from loaders.extract import DocumentRecords, Extractors, alias_matcher, extend_matcher, timed
from loaders.paths import BUNDLED_ROSTERS, DATA_DIR
from loaders.quantities import reconciliation
from loaders.records import Claim, Entity, as_dict
from loaders.fold import fold_many
from loaders.rosters import RosterRow, merge_rosters, read_roster_folded
from loaders.text import Document, bundled_documents, load_document

from .display import describe_claim
from .model import catalogue_of, types_with
from .places import containing_places

class _Edges:
    """Collects edges keyed by (u, v, type, method[, variant]) and merges their evidence."""

    def __init__(self):
        self.items: dict[tuple, dict] = {}
        self.source_dicts: dict = {}  # Source -> its dict, shared by a node and its fact edges (see source_dict)
        # Lists shared by the millions of roster nodes and fact edges (_node_attrs, add_facts) where their values are
        # equal: the one empty list of this build (no evidence, no aliases), one ``[segment]`` per segment, and one
        # ``[source]`` per source dict (a firm's node and its IN_SEGMENT and LOCATED_IN edges from one row). Nothing
        # changes a graph's attribute lists in place (add() and _add_document replace a shared one instead of
        # growing it), so sharing is invisible in the values; it saves a list object per node or edge each, in
        # memory, in the cache file and on its load.
        self.empty: list = []
        self.singles: dict = {}  # value -> [value]
        self.fact_sources: dict[int, list] = {}  # id(source dict) -> [source dict] (the list keeps the dict alive)
        self.located: set[str] = set()  # the targets of the LOCATED_IN edges laid out by into()

    def single(self, value) -> list:
        """The build's one ``[value]`` list."""
        one = self.singles.get(value)
        if one is None:
            one = self.singles[value] = [value]
        return one

    def source_dict(self, source) -> dict:
        """The plain dict of a :class:`Source`, one per source per build: a roster row's source is stored on its node
        and on each of its fact edges as one dict object (like evidence dicts), not a copy each, which saves a
        million dicts with a large roster. Dicts pass through."""
        if isinstance(source, dict):
            return source
        d = self.source_dicts.get(source)
        if d is None:
            d = self.source_dicts[source] = source.to_dict()
        return d

    def add(self, u: str, v: str, etype: str, method: str, evidence: Iterable[dict] = (), sources: Iterable[dict] = (),
            variant: str = "", weight: float | None = None, **attrs) -> dict:
        key = (u, v, etype, method, variant)
        e = self.items.get(key)
        if e is None:
            e = self.items[key] = {"type": etype, "method": method, "evidence": [], "sources": [], "weight": 0.0}
        ev = [as_dict(x) for x in evidence]
        if ev:
            if e["evidence"] is self.empty:  # a fact edge's shared empty list: replaced, not grown
                e["evidence"] = ev
            else:
                e["evidence"].extend(ev)
        for s in map(as_dict, sources):
            if s not in e["sources"]:
                e["sources"] = [*e["sources"], s]  # a new list: a fact edge's may be shared (add_facts)
        e["weight"] += weight if weight is not None else max(1, len(ev))
        for k, val in attrs.items():
            if val is not None and val != "":
                e[k] = val
        return e

    def add_facts(self, u: str, facts, etype: str) -> None:
        """``add(u, f.target, etype, f.method, sources=[f.source])`` for each of ``facts`` (the millions of roster
        facts), without the general path's argument handling (same edges, same attributes in the same order)."""
        items, source_dict, empty, fact_sources = self.items, self.source_dict, self.empty, self.fact_sources
        for f in facts:
            key = (u, f.target, etype, f.method, "")
            s = f.source if type(f.source) is dict else source_dict(f.source)
            e = items.get(key)
            if e is None:
                sources = fact_sources.get(id(s))
                if sources is None:
                    sources = fact_sources[id(s)] = [s]
                items[key] = {"type": etype, "method": f.method, "evidence": empty, "sources": sources,
                              "weight": 1.0}
            else:
                if s not in e["sources"]:
                    e["sources"] = [*e["sources"], s]  # a new list: this one may be shared with other edges
                e["weight"] += 1

    def into(self, G: nx.MultiDiGraph) -> None:
        """Add the edges to ``G`` in the order they were first seen, letting go of each one as it is added.

        This is ``G.add_edge(u, v, key=key, **attrs)`` for each edge, spelled out on networkx's own adjacency dicts
        (``_succ``, ``_pred``, ``_node``, as ``MultiDiGraph.add_edge`` does), except that a new edge keeps the
        attribute dict built here instead of a copy of it: the same graph, without copying millions of dicts.
        The targets of the LOCATED_IN edges are noted in ``located`` (for :func:`mark_location_conflicts`).
        """
        items, located = self.items, self.located
        keys: dict[tuple, str] = {}  # one string object per edge key, not one per edge
        succ, pred, node = G._succ, G._pred, G._node
        inner, new_node, new_keydict = G.adjlist_inner_dict_factory, G.node_attr_dict_factory, G.edge_key_dict_factory
        plain = G.edge_attr_dict_factory is dict
        order = list(items)
        order.reverse()
        while order:  # each key tuple goes as its edge is added (a list of them kept to the end holds 200 MB at 1M)
            k = order.pop()
            u, v, etype, method, variant = k
            key = keys.get((etype, method, variant))
            if key is None:
                key = keys[etype, method, variant] = f"{etype}:{method}:{variant}" if variant else f"{etype}:{method}"
            attrs = items.pop(k)
            for n in (u, v):
                if n not in succ:
                    if n is None:
                        raise ValueError("None cannot be a node")
                    succ[n], pred[n], node[n] = inner(), inner(), new_node()
            nbrs = succ[u]
            if v in nbrs:
                keydict = nbrs[v]
                datadict = keydict.get(key)
                if datadict is None:
                    datadict = attrs if plain else G.edge_attr_dict_factory(attrs)
                else:
                    datadict.update(attrs)
                keydict[key] = datadict
            else:
                keydict = new_keydict()
                keydict[key] = datadict = attrs if plain else G.edge_attr_dict_factory(attrs)
                nbrs[v] = keydict
                pred[v][u] = keydict
            if datadict["type"] == "LOCATED_IN":
                located.add(v)
        self.items = {}  # the emptied dict still holds a table sized for every edge (80 MB at 1M rows)
        nx._clear_cache(G)


def _add_nodes(G: nx.MultiDiGraph, nodes) -> None:
    """``G.add_nodes_from(nodes)`` for ``(node, attribute dict)`` pairs, spelled out on networkx's dicts as
    ``add_nodes_from`` does, except that a new node keeps the dict given instead of two copies of it (a million
    nodes); an existing node's attributes are updated as there."""
    succ, pred, node = G._succ, G._pred, G._node
    inner, plain = G.adjlist_inner_dict_factory, G.node_attr_dict_factory is dict
    for n, attrs in nodes:
        if n not in node:
            if n is None:
                raise ValueError("None cannot be a node")
            succ[n], pred[n] = inner(), inner()
            if plain:
                node[n] = attrs
                continue
            node[n] = G.node_attr_dict_factory()
        node[n].update(attrs)
    nx._clear_cache(G)


def _node_attrs(e: Entity, edges: _Edges | None = None) -> dict:
    """A node's attributes from its entity. A roster entity (new in this build, let go when the graph is built) gives
    the node its own alias and source lists instead of copies of them: a million fewer lists each. With the build's
    ``edges`` (the catalogue and roster entities, laid out before any document is read): its source dicts and shared
    lists (:class:`_Edges`; the evidence list is replaced when a document mentions the node), and a single source's
    list is the one its fact edges get."""
    own = e.origin == "roster"
    sources = e.sources
    if not own or any(type(x) is not dict for x in sources):
        sources = [(as_dict if edges is None else edges.source_dict)(x) for x in sources]
    segments = e.segments
    aliases = e.aliases if own else list(e.aliases)
    if edges is None:
        evidence = []
        segments = [segments[0].target] if len(segments) == 1 else list(dict.fromkeys([f.target for f in segments]))
    else:
        evidence = edges.empty
        segments = edges.single(segments[0].target) if len(segments) == 1 else \
            list(dict.fromkeys([f.target for f in segments])) or edges.empty
        aliases = aliases or edges.empty
        if len(sources) == 1:
            edges.fact_sources.setdefault(id(sources[0]), sources)
    attrs = {"type": e.type, "name": e.name, "label": e.name, "name_en": e.name_en, "name_zh": e.name_zh,
             "name_ja": e.name_ja, "origin": e.origin, "aliases": aliases, "mentions": 0, "evidence": evidence,
             "sources": sources, "segments": segments}
    for k, v in e.attrs.items():
        if k == "roster_notes":
            attrs["note"] = " | ".join(dict.fromkeys([*([e.attrs["note"]] if e.attrs.get("note") else []), *v]))
        elif v not in (None, ""):
            attrs.setdefault(k, v)
    return attrs


def _load_rosters(rosters, bundled: bool, catalogue: Catalogue) -> tuple[list[RosterRow], list[str], list[str]]:
    """The rows of every roster, the rosters' names, and the folds of the rows' names (row after row; taken from
    the reader where it made them, so merge_rosters does not fold a million names again)."""
    items = (list(BUNDLED_ROSTERS) if bundled else []) + list(rosters or [])
    rows: list[RosterRow] = []
    names: list[str] = []
    folds: list[str] = []
    for item in items:
        if isinstance(item, (str, os.PathLike)):
            batch, folded = read_roster_folded(item, catalogue)
            names.append(str(item))
        else:  # already parsed rows (e.g. an upload in the app)
            batch, folded = list(item), None
            names.append(batch[0].path if batch else "<empty roster>")
        rows.extend(batch)
        folds.extend(fold_many([n for row in batch for n in row.names()]) if folded is None else folded)
        del batch, folded
    return rows, names, folds


def _drain(items: list):
    """The items of ``items`` in order, each removed from the list as it is handed out (the list ends empty): a
    million roster rows are let go one by one as they merge instead of all at the end."""
    items.reverse()
    pop = items.pop
    while items:
        yield pop()


def _load_documents(docs, bundled: bool) -> list[Document]:
    documents = (bundled_documents() if bundled else []) + [
        d if isinstance(d, Document) else load_document(d) for d in (docs or [])]
    seen: dict[str, Document] = {}
    for d in documents:
        if d.id in seen:
            raise InputError(f"two documents have the id {d.id!r} ({seen[d.id].path} and {d.path}); rename one or give "
                             "it an 'id' in its .meta.yaml", path=d.path)
        seen[d.id] = d
    return documents


def mark_location_conflicts(G: nx.MultiDiGraph, located: set[str] | None = None) -> list[dict]:
    """Flag organisations placed in two places neither of which contains the other.

    Every LOCATED_IN edge involved gets ``conflict=True``; the node gets ``conflicts`` (each statement with its
    source); the list is also returned and stored in ``G.graph['conflicts']``. Nothing is removed. ``located``: the
    nodes something is LOCATED_IN, when the caller knows them (a build notes them as it lays out the edges);
    otherwise they are found from ``G``'s edges.
    """
    conflicts = []
    ancestors: dict[str, set[str]] = {}  # per place, computed once
    locatable = set(catalogue_of(G).schema["edge_types"]["LOCATED_IN"]["sources"]) - set(types_with(G, "place"))
    successors, attrs = G._succ, G._node  # the plain adjacency dicts: no view object per node or edge
    # The nodes something is LOCATED_IN: a node with fewer than two of them among its neighbours has fewer than two
    # places (a set intersection per node, in C, instead of reading the edges of a million firms).
    targets = located if located is not None else {
        v for v, keyed in G._pred.items()
        if keyed and any(d["type"] == "LOCATED_IN" for edges in keyed.values() for d in edges.values())}
    intersection = targets.intersection
    for n, data in attrs.items():
        if data.get("type") not in locatable:
            continue
        nbrs = successors[n]
        if len(nbrs) < 2 or len(intersection(nbrs)) < 2:
            continue  # fewer than two places: nothing to compare (most nodes)
        located = [(v, d) for v, keyed in nbrs.items() for d in keyed.values() if d["type"] == "LOCATED_IN"]
        places = {v for v, _ in located}
        if len(places) < 2:
            continue
        for p in places - ancestors.keys():
            ancestors[p] = containing_places(G, p)
        anc = {p: ancestors[p] for p in places}
        clashing = {p for p in places for q in places if p != q and p not in anc[q] and q not in anc[p]}
        if not clashing:
            continue
        statements = []
        for v, d in located:
            if v in clashing:
                d["conflict"] = True
            statements.append({"place": v, "place_name": attrs[v].get("name", v), "method": d["method"],
                               "conflicting": v in clashing,
                               "evidence": d.get("evidence", [])[:3], "sources": d.get("sources", [])[:3]})
        record = {"entity": n, "name": data.get("name", n), "relation": "LOCATED_IN", "statements": statements}
        data["conflicts"] = [record]
        conflicts.append(record)
    G.graph["conflicts"] = conflicts
    return conflicts


@contextmanager
def cyclic_gc_paused():
    """Pause Python's cyclic garbage collector while building (refcounting still frees memory).

    A build allocates millions of small objects that live until the end; each full collection would walk all of
    them again. Measured on 10,000 roster firms and 100 documents it saves about a fifth of the build time.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def build_graph(docs=None, rosters=None, bundled: bool = True, data_dir=None, progress=None,
                cache=False) -> nx.MultiDiGraph:
    """Build the ecosystem graph.

    Parameters
    ----------
    docs : iterable of path or Document, optional
        Texts to load in addition to (or, with ``bundled=False``, instead of) the bundled seeds.
    rosters : iterable of path or list of RosterRow, optional
        Roster CSVs to merge in addition to the bundled reference roster.
    bundled : bool
        Include ``seeds/`` and the bundled roster. The catalogue and taxonomy of data/ always apply.
    data_dir : path, optional
        Another data/ directory (same layout).
    progress : callable, optional
        Called as ``progress(done, total)`` after each document.
    cache : bool or path
        Keep the built graph on disk keyed by its inputs and the code, and serve it from there next time
        (:mod:`graph.cache`): True uses ``$ECOSYSTEM_GRAPH_CACHE`` or ``~/.cache/ecosystem-graph``, a path that
        folder; False (default) neither reads nor writes a cache.

    Returns
    -------
    networkx.MultiDiGraph

    Examples
    --------
    >>> G = build_graph()
    >>> G.nodes["agibot"]["name_zh"], G.nodes["agibot"]["mentions"] > 0
    ('智元机器人', True)
    """
    if cache is not False and cache is not None:
        from .cache import cached_build_graph

        return cached_build_graph(docs, rosters, bundled, data_dir, progress, cache=cache)
    with cyclic_gc_paused():
        return _build_graph(docs, rosters, bundled, data_dir, progress)


def _build_graph(docs, rosters, bundled, data_dir, progress) -> nx.MultiDiGraph:
    catalogue = load_catalogue(data_dir)
    with timed("rosters"):
        rows, roster_names, folds = _load_rosters(rosters, bundled, catalogue)
    with timed("read"):  # decode, clean, sentences, language (loaders.extract.stage_clock counts the steps)
        documents = _load_documents(docs, bundled)
    with timed("rosters"):
        entities, _ = merge_rosters(catalogue, _drain(rows), assignments=False, folds=_drain(folds))
        add_referenced_places(entities, catalogue)  # gazetteer places the rosters name, with their containers
    del rows, folds  # a million rows are a gigabyte; the entities hold what the graph needs

    G = nx.MultiDiGraph()
    G.graph.update({"name": "Ecosystem Graph", "schema_version": catalogue.schema["version"],
                    "documents": [d.id for d in documents], "rosters": roster_names})
    if data_dir is not None and catalogue.data_dir != DATA_DIR.resolve():
        G.graph["data_dir"] = str(catalogue.data_dir)  # the model the graph was built with (graph.model)
    edges = _Edges()
    _add_entities(G, edges, catalogue, entities)

    with timed("fold"):
        for doc in documents:
            doc.folded  # folded once, here, for every step after
    with timed("automaton"):  # only these documents are searched with it: it keeps what bears on them
        matcher = alias_matcher(catalogue, entities, documents)
    # Organisations, products and policies no catalogue or roster lists (loaders/discover.py): nodes with origin,
    # confidence and found_by; then every occurrence of their names is a mention like any other.
    with timed("discovery"):
        found = discover(documents, catalogue, entities, matcher=matcher)
    if found.entities:
        for e in found.entities.values():
            G.add_node(e.id, **_node_attrs(e))
        entities = {**entities, **found.entities}
        # the places discovered firms' registered names start with (LOCATED_IN), with their containers
        targets = sorted({r.target for rs in found.relations.values() for r in rs if r.target not in entities})
        if targets:
            _add_places(G, edges, places_for(catalogue).add_entities(targets, entities))
        # Their names join the automaton as if it were built again (a million names are not folded twice).
        matcher = extend_matcher(matcher, catalogue, list(found.entities.values()))
    extractors = Extractors(catalogue, entities, matcher=matcher)
    names = {eid: e.name for eid, e in entities.items()}
    doc_texts = {}
    all_claims: list[Claim] = []
    for done, doc in enumerate(documents, start=1):
        records = extractors.extract(doc)
        with timed("graph"):
            doc_texts[doc.id] = {"text": doc.text, "sentences": [[s.start, s.end] for s in doc.sentences]}
            _add_document(G, edges, records, names)
            for r in found.relations.get(doc.id, ()):  # IN_SEGMENT (cue words), LOCATED_IN (names)
                edges.add(r.source, r.target, r.type, r.method, evidence=r.evidence, rule=r.attrs.get("rule"))
            all_claims.extend(records.claims)
        if progress:
            progress(done, len(documents))

    with timed("graph"):
        _add_disputes(G, edges, catalogue, all_claims, names)
        # The automaton and the entities (gigabytes with a 1M-row roster) are done with: let them go before the edges
        # are laid out in the graph, so the two are not held at once.
        del extractors, matcher, entities, found, names
        edges.into(G)
        G.graph["document_texts"] = doc_texts
        mark_location_conflicts(G, edges.located)
    return G


def _add_entities(G: nx.MultiDiGraph, edges: _Edges, catalogue: Catalogue, entities: dict[str, Entity]) -> None:
    """Catalogue, taxonomy and roster entities, their sourced facts and the curated relations."""
    _add_nodes(G, ((e.id, _node_attrs(e, edges)) for e in entities.values()))
    add_facts = edges.add_facts
    for e in entities.values():
        add_facts(e.id, e.part_of, "PART_OF")
        add_facts(e.id, e.segments, "IN_SEGMENT")
        add_facts(e.id, e.located_in, "LOCATED_IN")
    edges.source_dicts.clear()  # every entity's source has its dict now
    edges.fact_sources.clear()  # and its fact edges their shared source list
    edges.singles.clear()
    for c in catalogue.curated_relations:
        edges.add(c["source"], c["target"], c["type"], "curated",
                  sources=[{"source": c["source_url"], "quote": c["quote"]}])


def _document_node(doc: Document) -> dict:
    meta = doc.meta
    title = meta.get("title_en") or meta.get("title") or doc.id
    return dict(type="Document", name=title, label=title, title=meta.get("title", doc.id),
                publisher=meta.get("publisher", ""), source=meta.get("source", ""),
                date=str(meta.get("released") or meta.get("date") or ""), language=doc.language,
                path=os.path.basename(doc.path or ""),  # the file name only: no local folders in graphs or exports
                sha256=doc.sha256, effective_from=str(meta.get("effective_from") or ""),
                effective_until=str(meta.get("effective_until") or ""), mentions=0, evidence=[], aliases=[])


def _add_places(G: nx.MultiDiGraph, edges: _Edges, places: list[Entity], names: dict | None = None) -> None:
    """Gazetteer places added while documents are read, and where each lies (PART_OF its container)."""
    for e in places:
        G.add_node(e.id, **_node_attrs(e))
        if names is not None:
            names[e.id] = e.name
        for f in e.part_of:
            edges.add(e.id, f.target, "PART_OF", f.method, sources=[f.source])


def _add_document(G: nx.MultiDiGraph, edges: _Edges, records: DocumentRecords, names: dict) -> None:
    """A document's node, and its mentions, co-mentions, relations and claims as nodes and edges."""
    doc = records.doc
    doc_node = f"doc:{doc.id}"
    _add_places(G, edges, records.places, names)  # gazetteer places this document is the first to name
    if records.unresolved_places:
        G.graph.setdefault("unresolved_places", []).extend(records.unresolved_places)
    G.add_node(doc_node, **_document_node(doc))
    by_entity = defaultdict(list)
    by_sentence = defaultdict(set)
    for m in records.mentions:
        by_entity[m.entity].append(m.evidence.to_dict())
        by_sentence[m.sentence].add(m.entity)
    for eid, evs in by_entity.items():
        node = G.nodes[eid]
        node["mentions"] += len(evs)
        if node["evidence"]:
            node["evidence"].extend(evs)
        else:  # maybe the build's shared empty list (_node_attrs): replaced, not grown
            node["evidence"] = evs
        edges.add(eid, doc_node, "MENTIONED_IN", "mention", evidence=evs)
    for idx, found in by_sentence.items():
        if len(found) < 2:
            continue
        s = doc.sentences[idx]
        ev = doc.evidence(s.start, s.end)
        ids = sorted(found)
        for i, a in enumerate(ids):
            for b in ids[i + 1:]:
                edges.add(a, b, "CO_MENTIONED", "co_mention", evidence=[ev])
    for r in records.relations:
        edges.add(r.source, r.target, r.type, r.method, evidence=r.evidence, rule=r.attrs.get("rule"))
    _add_claims(G, edges, records.claims, doc_node, records.policy, names)


def _add_node(G: nx.MultiDiGraph, node: str, **attrs) -> None:
    """Add a node without None-valued attributes (absent means unknown; GraphML and Neo4j have no None)."""
    G.add_node(node, **{k: v for k, v in attrs.items() if v is not None})


def _add_claims(G, edges: _Edges, claims: list[Claim], doc_node: str, policy: str | None, names: dict) -> None:
    by_sentence = defaultdict(list)
    for c in claims:
        recon = reconciliation(c)
        _add_node(G, c.id, type="Claim", name=describe_claim(c, names), label=describe_claim(c, names),
                   metric=c.metric, value=c.value, unit=c.unit, qualifier=c.qualifier, text=c.text, date=c.date,
                   doc=c.doc, subject=";".join(c.subjects), subject_from=c.subject_from, target=c.target,
                   value_max=c.attrs.get("value_max"),
                   named_count=len(c.members) if c.members else None, reconciliation=recon,
                   members=list(c.members), mentions=1, evidence=[as_dict(x) for x in c.evidence], sources=[], aliases=[])
        edges.add(c.id, doc_node, "MENTIONED_IN", "mention", evidence=c.evidence)
        for s in c.subjects:
            edges.add(c.id, s, "ABOUT", "rule", evidence=c.evidence, note=c.subject_from)
        if c.target and policy:
            edges.add(policy, c.id, "TARGETS", "rule", evidence=c.evidence)
        if c.subsidy:
            by_sentence[c.sentence].append(c)
    if not policy:
        return
    for group in by_sentence.values():
        rates = [c for c in group if c.subsidy == "rate"]
        caps = [c for c in group if c.subsidy == "cap"]
        for i in range(max(len(rates), len(caps))):
            rate = rates[i] if i < len(rates) else None
            cap = caps[i] if i < len(caps) else None
            pair = [c for c in (rate, cap) if c]
            subjects = list(dict.fromkeys(s for c in pair for s in c.subjects))
            variant = f"{rate.value if rate else ''}|{cap.value if cap else ''}"
            for s in subjects:
                edges.add(policy, s, "SUPPORTS", "rule", evidence=[ev for c in pair for ev in c.evidence],
                          variant=variant, weight=1, rate=rate.value if rate else None,
                          cap=cap.value if cap else None, cap_unit=cap.unit if cap else None)


def _add_disputes(G, edges: _Edges, catalogue: Catalogue, claims: list[Claim], names: dict) -> None:
    for d in catalogue.disputes:
        cid = f"claim:dispute:{d['id']}"
        src = {"source": d["source"], "quote": d["statement"]}
        _add_node(G, cid, type="Claim", name=f"{names.get(d['subject'], d['subject'])} · {d['metric']} (other source)",
                   label=f"{names.get(d['subject'], d['subject'])} · {d['metric']} (other source)",
                   metric=d["metric"], value=d.get("value"), unit=d.get("unit") or "",
                   qualifier=d.get("qualifier") or "", text=d["statement"], date=d.get("date") or "",
                   subject=d["subject"], note=d.get("note") or "", mentions=0, evidence=[], sources=[src], aliases=[])
        edges.add(cid, d["subject"], "ABOUT", "curated", sources=[src])
        for c in claims:
            if c.metric == d["metric"] and d["subject"] in c.subjects:
                edges.add(cid, c.id, "DISPUTES", "curated", sources=[src], note=d.get("note"))
