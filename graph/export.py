"""Exports researchers and Neo4j tooling can open: CSV, a cypher-shell script, neo4j-admin import files, a bundle.

Every file is written atomically (temporary file, then rename).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import time
from collections import Counter
from pathlib import Path

import networkx as nx

from loaders.errors import InputError, OutputError

from .io import (FORMATS, _temp_beside, _terminate_cleanly, atomic_path, json_safe, output_error, public_path,
                 write_chunks, write_graph)

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value):
    """A CSV cell a spreadsheet will not run as a formula: text starting with = + - @ tab or CR gets a leading '.

    Examples
    --------
    >>> neutralise_cell("=HYPERLINK(\\"http://x\\")"), neutralise_cell("-1"), neutralise_cell(-1)
    ('\\'=HYPERLINK("http://x")', "'-1", -1)
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, (list, dict, tuple)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


def _columns(rows: list[dict], first: list[str]) -> list[str]:
    seen = dict.fromkeys(first)
    for r in rows:
        for k in r:
            seen.setdefault(k)
    return list(seen)


def _node_rows(G, notes=None):
    from .io import _public_node_attributes

    return [{"id": n, **_public_node_attributes(d)} for n, d in G.nodes(data=True)]


def _edge_rows(G):
    return [{"source": u, "target": v, "key": k, **d} for u, v, k, d in G.edges(keys=True, data=True)]


def _generate_csv(rows: list[dict], first: list[str], notes):
    """CSV text in chunks: BOM, header, rows; lists as JSON, formula cells neutralised, lone surrogates replaced."""
    cols = _columns(rows, first)
    buf = io.StringIO()
    w = csv.writer(buf)
    buf.write("\ufeff")
    w.writerow(cols)
    for i, r in enumerate(rows, 1):
        w.writerow([neutralise_cell(json_safe(_cell(r.get(c)), notes)) for c in cols])
        if i % 5000 == 0:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


def generate_nodes_csv(G: nx.MultiDiGraph, notes: Counter | None = None):
    """``nodes.csv`` in chunks: UTF-8 with BOM so spreadsheets read CJK, lists as JSON, formula cells neutralised.

    Examples
    --------
    >>> G = nx.MultiDiGraph(); G.add_node("x", type="Company", name="=1+1")
    >>> "".join(generate_nodes_csv(G)).splitlines()
    ['\ufeffid,type,name,name_zh,name_ja', "x,Company,'=1+1,,"]
    """
    return _generate_csv(_node_rows(G), ["id", "type", "name", "name_zh", "name_ja"], notes)


def generate_edges_csv(G: nx.MultiDiGraph, notes: Counter | None = None):
    """``edges.csv`` in chunks, as :func:`generate_nodes_csv`; ``key`` is the multigraph key."""
    return _generate_csv(_edge_rows(G), ["source", "target", "key", "type", "method", "weight"], notes)


def write_csv(G: nx.MultiDiGraph, nodes_path, edges_path, notes: Counter | None = None) -> tuple[Path, Path]:
    """Nodes and edges as CSV (see :func:`generate_nodes_csv`), each written atomically."""
    return (write_chunks(generate_nodes_csv(G, notes), nodes_path),
            write_chunks(generate_edges_csv(G, notes), edges_path))


def csv_bytes(G: nx.MultiDiGraph) -> tuple[bytes, bytes]:
    """``nodes.csv`` and ``edges.csv`` as :func:`write_csv` writes them, as bytes (for download buttons)."""
    return ("".join(generate_nodes_csv(G)).encode("utf-8"), "".join(generate_edges_csv(G)).encode("utf-8"))


# ------------------------------------------------------------------------------------------------------------ bundle
def sha256_file(path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _neo4j_writers():
    """write_cypher and write_admin_import of the Neo4j package (graph/neo4j/files.py, the one Neo4j model)."""
    from .neo4j import write_admin_import, write_cypher

    return write_cypher, write_admin_import


GRAPH_FILES = {fmt: "graph" + suffix for fmt, (suffix, _, _) in FORMATS.items()}


def refuse_output_over_inputs(out, inputs) -> None:
    """:class:`InputError` when ``out`` is one of ``inputs`` or (for a bundle folder) holds one of them."""
    out = Path(out).resolve()
    for item in inputs or ():
        if not isinstance(item, (str, os.PathLike)):
            continue
        p = Path(item).resolve()
        if p == out or out in p.parents:
            raise InputError("the output would overwrite an input file; choose another output", path=item)


def export_bundle(G: nx.MultiDiGraph, directory, layout: str | None = "chain lanes", inputs=()) -> dict:
    """Write every format into ``directory`` plus ``manifest.json``; returns the manifest.

    Files: graph.graphml, graph.gexf, graph.json (node-link), graph.graphology.json, graph.cyjs, nodes.csv,
    edges.csv, graph.cypher, neo4j-import/nodes.csv, neo4j-import/relationships.csv. Everything is written into a
    temporary folder beside ``directory`` that is renamed at the end, so a failure leaves no partial bundle; an
    existing bundle (a folder with manifest.json) or an empty folder is replaced, any other folder is refused.
    The manifest gives counts by type, the documents and rosters used (file names and sha256), the schema version,
    the sha256 and size of every file, and what the writers had to replace.
    """
    target = Path(directory)
    refuse_output_over_inputs(target, inputs)
    if target.exists():
        if not target.is_dir():
            raise OutputError("exists and is not a directory; choose a folder name for the bundle", path=target)
        if any(target.iterdir()) and not (target / "manifest.json").exists():
            raise OutputError("is a folder that is not an export bundle (no manifest.json); choose a new or empty "
                              "folder", path=target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise output_error(exc, target) from exc
    with _terminate_cleanly():  # SIGTERM unwinds through the finally below, which removes the temporary folder
        return _write_and_rename(G, target, layout)


def _write_and_rename(G: nx.MultiDiGraph, target: Path, layout) -> dict:
    try:
        tmp = _temp_beside(target, directory=True)
    except OSError as exc:
        raise output_error(exc, target) from exc
    try:
        manifest = _write_bundle(G, tmp, layout)
        old = None
        try:
            if target.exists():
                old = _temp_beside(target, directory=True)
                os.rmdir(old)
                os.rename(target, old)
            os.rename(tmp, target)
        except OSError as exc:
            if old is not None and old.exists() and not target.exists():
                os.rename(old, target)
            raise output_error(exc, target) from exc
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        return manifest
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def _write_bundle(G: nx.MultiDiGraph, directory: Path, layout) -> dict:
    write_cypher_, write_admin_import_ = _neo4j_writers()
    notes: Counter = Counter()
    files = [write_graph(G, directory / name, layout=layout, notes=notes) for name in GRAPH_FILES.values()]
    files += [*write_csv(G, directory / "nodes.csv", directory / "edges.csv", notes),
              write_cypher_(G, directory / "graph.cypher"), *write_admin_import_(G, directory / "neo4j-import")]
    documents = []
    for n, d in G.nodes(data=True):
        if d.get("type") == "Document":
            documents.append({"id": str(n).split(":", 1)[-1], "title": d.get("title"),
                              "file": public_path(d.get("path")), "language": d.get("language"),
                              "sha256_text": d.get("sha256")})
    rosters = []
    for r in G.graph.get("rosters", []):
        p = Path(str(r))
        rosters.append({"file": public_path(r), "sha256": sha256_file(p) if p.is_file() else None})
    manifest = {
        "schema_version": G.graph.get("schema_version"),
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "layout": layout,
        "nodes": G.number_of_nodes(), "edges": G.number_of_edges(),
        "nodes_by_type": dict(sorted(Counter(d.get("type") for _, d in G.nodes(data=True)).items())),
        "edges_by_type": dict(sorted(Counter(d.get("type") for *_, d in G.edges(data=True)).items())),
        "documents": documents, "rosters": rosters,
        "replaced": dict(notes),
        "files": {f.relative_to(directory).as_posix(): {"sha256": sha256_file(f), "bytes": f.stat().st_size}
                  for f in files},
    }
    with atomic_path(directory / "manifest.json", "w") as fh:
        json.dump(json_safe(manifest), fh, ensure_ascii=False, indent=2, allow_nan=False)
    return manifest
