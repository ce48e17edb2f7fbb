"""The built graph kept on disk, keyed by everything it was built from, so a restart does not build it again.

A cache entry is one pickle (protocol 5) of the graph in the cache folder: ``$ECOSYSTEM_GRAPH_CACHE`` if set, else
``~/.cache/ecosystem-graph/`` (``ECOSYSTEM_GRAPH_CACHE=off`` turns the default cache off, e.g. for the explorer). Its name is the sha256 of the inputs: every document's bytes and its ``.meta.yaml``,
every roster's bytes (or, for rows parsed in memory, their values), every file of the data/ folder used, the bundled
seeds and roster when they are included, and the code version (the sources of ``graph/`` and ``loaders/`` plus the
Python and networkx versions). Change any of them and the key changes, so a stale entry is never served; it is
simply left behind (the folder keeps the newest :data:`KEEP` entries and is safe to delete at any time).

Entries are written to a temporary file in the same folder and renamed into place, so a reader never sees half an
entry; an entry that cannot be read (truncated, corrupt, from another version) is ignored and rebuilt. Only load a
cache folder you own: unpickling runs code named in the file.

Beside an entry, ``views-<key>.pickle`` keeps results computed from that graph that a restart would otherwise
compute again for its first visitor (the explorer's default chain map and coverage, the page header's figures):
:func:`derived` computes one once per graph and name and, for a graph that came from or went to the cache, adds it to
that file (written the same atomic way, under the same key; unreadable or for another key, it is ignored).
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import sys
import tempfile
import threading
import weakref
from functools import lru_cache
from pathlib import Path

import networkx as nx

CACHE_ENV = "ECOSYSTEM_GRAPH_CACHE"
KEEP = 8  # newest entries kept; older ones are removed when a new one is written
_FORMAT = "ecosystem-graph-cache/1"
_PACKAGE_ROOT = Path(__file__).resolve().parent.parent
_OFF = ("off", "0", "false", "no")  # $ECOSYSTEM_GRAPH_CACHE values that turn the default cache off


def cache_dir(path=None) -> Path:
    """The cache folder: ``path`` if given, else ``$ECOSYSTEM_GRAPH_CACHE``, else ``~/.cache/ecosystem-graph``."""
    if path not in (None, True):
        return Path(path).expanduser()
    env = os.environ.get(CACHE_ENV)
    return Path(env).expanduser() if env else Path.home() / ".cache" / "ecosystem-graph"


@lru_cache(maxsize=1)
def code_version() -> str:
    """sha256 of the graph/ and loaders/ sources (path and bytes, in path order), Python and networkx versions.

    Computed once per process: the sources do not change under a running program that has imported them.
    """
    h = hashlib.sha256(f"{_FORMAT}|{sys.version}|{nx.__version__}".encode())
    for folder in ("graph", "loaders"):
        for p in sorted((_PACKAGE_ROOT / folder).rglob("*.py")):
            h.update(b"\0" + p.relative_to(_PACKAGE_ROOT).as_posix().encode() + b"\0")
            h.update(p.read_bytes())
    return h.hexdigest()


def _hash_file(h, path: Path, what: str) -> None:
    from loaders.clean import check_size

    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError:
        h.update(b"\0missing\0" + str(path).encode())  # the build itself reports the missing file
        return
    check_size(size, path, what)  # the same limit as reading it: a cached graph does not bypass it
    h.update(f"\0{what}\0{path}\0{size}\0".encode())  # the path as given: the graph records it
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 22):
            h.update(chunk)


def _hash_folder(h, folder: Path, pattern: str = "*") -> None:
    folder = Path(folder)
    for p in sorted(q for q in folder.rglob(pattern) if q.is_file()):
        h.update(b"\0" + p.relative_to(folder).as_posix().encode() + b"\0")
        h.update(p.read_bytes())


def input_key(docs=None, rosters=None, bundled: bool = True, data_dir=None) -> str:
    """The cache key of a build: sha256 of its inputs and of the code (see the module docstring).

    Examples
    --------
    >>> input_key() == input_key()
    True
    """
    from loaders.paths import BUNDLED_ROSTERS, DATA_DIR, SEEDS_DIR
    from loaders.text import Document, meta_path_for

    h = hashlib.sha256(code_version().encode())
    data = Path(data_dir) if data_dir is not None else DATA_DIR
    h.update(b"\0data\0" + str(data.resolve() == DATA_DIR.resolve()).encode())
    _hash_folder(h, data)
    h.update(f"\0bundled\0{bool(bundled)}".encode())
    if bundled:
        _hash_folder(h, SEEDS_DIR)
        for r in BUNDLED_ROSTERS:
            _hash_file(h, r, "roster")
    for d in docs or []:
        if isinstance(d, Document):
            h.update(b"\0doc-object\0" + repr((d.id, d.path, d.language, sorted(d.meta.items(), key=str))).encode())
            h.update(d.text.encode("utf-8", "surrogatepass"))
        else:
            _hash_file(h, d, "document")
            meta = meta_path_for(Path(d))
            if meta.is_file():
                _hash_file(h, meta, "metadata")
    for r in rosters or []:
        if isinstance(r, (str, os.PathLike)):
            _hash_file(h, r, "roster")
        else:  # rows parsed in memory (an upload): their values
            h.update(b"\0roster-rows\0" + repr(list(r)).encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def _entry(folder: Path, key: str) -> Path:
    return folder / f"graph-{key}.pickle"


def _views_file(folder: Path, key: str) -> Path:
    return folder / f"views-{key}.pickle"


# A graph that came from or went to the cache -> (folder, key), and the derived results kept for it.
_PLACE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_DERIVED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_KEPT: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # the names of _DERIVED[G] kept on disk
_LOCK = threading.Lock()  # sessions of one server call derived() from several threads


def _write_atomically(target: Path, obj) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".graph-", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(obj, fh, protocol=5)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _read_pickle(path: Path):
    """Unpickle ``path`` with the cyclic collector paused, then move what was read out of the collector's sight.

    A graph is millions of dicts and lists; with the collector running, each collection during the load walks all
    of them, and after it the first collections walk them all again (they arrive in the youngest generation).
    ``gc.freeze`` puts them in the permanent generation: never walked, still freed by reference counting.
    """
    from .build import cyclic_gc_paused

    with open(path, "rb") as fh, cyclic_gc_paused():
        obj = pickle.load(fh)
        gc.freeze()
    return obj


def load_entry(path: Path, key: str):
    """The graph stored at ``path`` for ``key``, or None when it is absent, unreadable or not for this key."""
    try:
        tag, stored_key, G = _read_pickle(path)
    except FileNotFoundError:
        return None
    except Exception:  # truncated, corrupt, or written by another version: rebuild
        return None
    if tag != _FORMAT or stored_key != key or not isinstance(G, nx.MultiDiGraph):
        return None
    return G


def _load_views(folder: Path, key: str) -> dict:
    try:
        tag, stored_key, views = _read_pickle(_views_file(folder, key))
    except Exception:  # absent, truncated, corrupt or from another version: computed again when asked
        return {}
    return views if tag == _FORMAT and stored_key == key and isinstance(views, dict) else {}


def key_of(G: nx.MultiDiGraph) -> str | None:
    """The cache key of a graph read from or written to the cache (None for any other graph)."""
    place = _PLACE.get(G)
    return place[1] if place else None


def derived(G: nx.MultiDiGraph, name: str, compute):
    """``compute()`` once per graph and ``name``; for a cached graph, also kept on disk beside its entry, so a
    restart on the same inputs reads it instead of computing it for its first visitor.

    ``name`` must say everything the result depends on besides the graph (e.g. ``"coverage:pudong"``); the result
    must be picklable and treated as read-only. The graph must not change after it is built (a cached graph never
    does). The key of the entry covers the inputs and the code, so a kept result is never stale.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> derived(G, "nodes", lambda: G.number_of_nodes()), derived(G, "nodes", lambda: 1 / 0)
    (0, 0)
    """
    with _LOCK:
        results = _DERIVED.setdefault(G, {})
        if name in results:
            return results[name]
    value = compute()
    with _LOCK:
        results[name] = value
        place = _PLACE.get(G)
        if place is not None:
            folder, key = place
            kept = _KEPT.setdefault(G, set())
            kept.add(name)
            try:
                _write_atomically(_views_file(folder, key), (_FORMAT, key, {n: results[n] for n in kept}))
            except OSError:  # a read-only or full disk: the next start computes it again
                pass
    return value


def store_entry(folder: Path, key: str, G: nx.MultiDiGraph) -> Path:
    """Write ``G`` under ``key`` atomically (temporary file, then rename) and drop entries beyond :data:`KEEP`."""
    folder.mkdir(parents=True, exist_ok=True)
    target = _entry(folder, key)
    _write_atomically(target, (_FORMAT, key, G))
    _views_file(folder, key).unlink(missing_ok=True)  # results of an earlier entry under this key
    entries = sorted(folder.glob("graph-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[KEEP:]:
        old.unlink(missing_ok=True)
        _views_file(folder, old.name[len("graph-"):-len(".pickle")]).unlink(missing_ok=True)
    return target


def cached_build_graph(docs=None, rosters=None, bundled: bool = True, data_dir=None, progress=None,
                       cache=True) -> nx.MultiDiGraph:
    """:func:`graph.build_graph`, served from the on-disk cache when the same inputs and code were built before.

    Parameters
    ----------
    docs, rosters, bundled, data_dir, progress
        As for :func:`graph.build_graph` (``progress`` is not called on a cache hit).
    cache : bool or path
        True: the default folder (:func:`cache_dir`); a path: that folder; False: build without reading or writing
        any cache.

    Returns
    -------
    networkx.MultiDiGraph

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     G1 = cached_build_graph(cache=tmp)  # built and stored
    ...     G2 = cached_build_graph(cache=tmp)  # read back
    >>> sorted(G1.nodes) == sorted(G2.nodes)
    True
    """
    from .build import build_graph

    docs, rosters = list(docs or []), list(rosters or [])
    if cache is True and os.environ.get(CACHE_ENV, "").strip().lower() in _OFF:
        cache = False
    if cache is False or cache is None:
        return build_graph(docs=docs, rosters=rosters, bundled=bundled, data_dir=data_dir, progress=progress)
    folder = cache_dir(cache)
    key = input_key(docs, rosters, bundled, data_dir)
    G = load_entry(_entry(folder, key), key)
    if G is not None:
        _PLACE[G] = (folder, key)
        _DERIVED[G] = _load_views(folder, key)
        _KEPT[G] = set(_DERIVED[G])
        return G
    G = build_graph(docs=docs, rosters=rosters, bundled=bundled, data_dir=data_dir, progress=progress)
    gc.freeze()  # as after a load (_read_pickle): the new graph lives on, so no collection walks it again
    try:
        store_entry(folder, key, G)
        _PLACE[G] = (folder, key)
    except OSError as exc:  # a read-only or full disk costs the next start a build, nothing more
        import warnings

        warnings.warn(f"could not write the graph cache in {folder}: {exc}", RuntimeWarning, stacklevel=2)
    return G
