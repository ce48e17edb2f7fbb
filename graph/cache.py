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
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
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


def load_entry(path: Path, key: str):
    """The graph stored at ``path`` for ``key``, or None when it is absent, unreadable or not for this key."""
    from .build import cyclic_gc_paused

    try:
        with open(path, "rb") as fh, cyclic_gc_paused():  # millions of dicts: no collector passes while loading
            tag, stored_key, G = pickle.load(fh)
    except FileNotFoundError:
        return None
    except Exception:  # truncated, corrupt, or written by another version: rebuild
        return None
    if tag != _FORMAT or stored_key != key or not isinstance(G, nx.MultiDiGraph):
        return None
    return G


def store_entry(folder: Path, key: str, G: nx.MultiDiGraph) -> Path:
    """Write ``G`` under ``key`` atomically (temporary file, then rename) and drop entries beyond :data:`KEEP`."""
    folder.mkdir(parents=True, exist_ok=True)
    target = _entry(folder, key)
    fd, tmp = tempfile.mkstemp(prefix=".graph-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            pickle.dump((_FORMAT, key, G), fh, protocol=5)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    entries = sorted(folder.glob("graph-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[KEEP:]:
        old.unlink(missing_ok=True)
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
        return G
    G = build_graph(docs=docs, rosters=rosters, bundled=bundled, data_dir=data_dir, progress=progress)
    try:
        store_entry(folder, key, G)
    except OSError as exc:  # a read-only or full disk costs the next start a build, nothing more
        import warnings

        warnings.warn(f"could not write the graph cache in {folder}: {exc}", RuntimeWarning, stacklevel=2)
    return G
