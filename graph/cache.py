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
compute again for its first visitor (the explorer's first page: the default chain map and coverage, the regions, the
page header's figures): :func:`derived` computes one once per graph and name and, for a graph that came from or went
to the cache, adds it to that file (written the same atomic way, under the same key; unreadable or for another key, it
is ignored). Each result is pickled on its own, so reading one (the first page's few kB) does not unpickle the
others (a million-firm region's coverage is megabytes).

:class:`GraphLoad` is a long-running program's start graph (the explorer's): the stored results are readable at once,
while the graph itself is read from its entry (or built) in a background thread that leaves the other threads their
share of the interpreter, so the first page can be drawn from what was kept before the graph is in memory.
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
_FORMAT = "ecosystem-graph-cache/2"
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


# A graph that came from or went to the cache -> (folder, key); the derived results computed or read for a graph;
# the pickled results kept on disk for a cached graph ({name: bytes}, read or written).
_PLACE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_DERIVED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_KEPT: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()  # sessions of one server call derived() from several threads
# One lock per graph and name, held while that result is computed, so that two sessions asking for the same result at
# once compute it once (the second waits for the first). Results depend on others only one way (a page on a scorecard,
# never the reverse), so these locks are always taken in one order.
_COMPUTING: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _write_atomically(target: Path, obj) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".graph-", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(obj, fh, protocol=5)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class _SharingReader:
    """A binary file read through Python-level methods, counting the bytes read.

    ``pickle.load`` is C code that keeps the interpreter lock from start to end when it reads a C file object: a
    graph read in a background thread would stall every other thread (a web server's requests, a page's script) for
    the whole load. The unpickler calls ``read``/``readinto`` once per 64 kB frame; a call into Python code lets a
    waiting thread take the lock (within :func:`sys.getswitchinterval`), so the load shares the interpreter.
    """

    def __init__(self, fh, progress=None):
        self._fh, self._progress, self.done = fh, progress, 0

    def _count(self, n: int) -> None:
        self.done += n
        if self._progress is not None:
            self._progress(self.done)

    def read(self, n: int = -1) -> bytes:
        data = self._fh.read(n)
        self._count(len(data))
        return data

    def readinto(self, buffer) -> int:
        n = self._fh.readinto(buffer)
        self._count(n)
        return n

    def readline(self) -> bytes:
        data = self._fh.readline()
        self._count(len(data))
        return data


def _read_pickle(path: Path, progress=None):
    """Unpickle ``path`` with the cyclic collector paused, then move what was read out of the collector's sight.

    A graph is millions of dicts and lists; with the collector running, each collection during the load walks all
    of them, and after it the first collections walk them all again (they arrive in the youngest generation).
    ``gc.freeze`` puts them in the permanent generation: never walked, still freed by reference counting.
    ``progress(bytes_read)`` is called as the file is read (see :class:`_SharingReader`).
    """
    from .build import cyclic_gc_paused

    with open(path, "rb") as fh, cyclic_gc_paused():
        obj = pickle.load(_SharingReader(fh, progress))
        gc.freeze()
    return obj


def load_entry(path: Path, key: str, progress=None):
    """The graph stored at ``path`` for ``key``, or None when it is absent, unreadable or not for this key.

    ``progress(bytes_read)`` is called as the entry is read."""
    try:
        tag, stored_key, G = _read_pickle(path, progress)
    except FileNotFoundError:
        return None
    except Exception:  # truncated, corrupt, or written by another version: rebuild
        return None
    if tag != _FORMAT or stored_key != key or not isinstance(G, nx.MultiDiGraph):
        return None
    return G


def _load_views(folder: Path, key: str) -> dict:
    """The results kept beside an entry, each still pickled (``{name: bytes}``; read with :func:`_unpickled`)."""
    try:
        with open(_views_file(folder, key), "rb") as fh:
            tag, stored_key, views = pickle.load(fh)
    except Exception:  # absent, truncated, corrupt or from another version: computed again when asked
        return {}
    if tag != _FORMAT or stored_key != key or not isinstance(views, dict) \
            or not all(isinstance(v, bytes) for v in views.values()):
        return {}
    return views


_MISSING = object()


def _unpickled(blob: bytes):
    """A kept result read back (``_MISSING`` when it cannot be: it is computed again)."""
    try:
        return pickle.loads(blob)
    except Exception:
        return _MISSING


def key_of(G: nx.MultiDiGraph) -> str | None:
    """The cache key of a graph read from or written to the cache (None for any other graph)."""
    place = _PLACE.get(G)
    return place[1] if place else None


def derived(G: nx.MultiDiGraph, name: str, compute, keep: bool = True):
    """``compute()`` once per graph and ``name`` (a thread asking while another computes it waits for that result);
    for a cached graph, also kept on disk beside its entry, so a restart on the same inputs reads it instead of
    computing it for its first visitor (``keep=False``: in memory only, e.g. for results larger than they are slow to
    compute). :func:`made` gives a result only if it is already there.

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
        computing = _COMPUTING.setdefault(G, {}).setdefault(name, threading.Lock())
    with computing:  # another thread computing it: wait for its result instead of computing it again
        value = made(G, name, _MISSING)
        if value is not _MISSING:
            return value
        value = compute()
        with _LOCK:
            results[name] = value
            place = _PLACE.get(G) if keep else None
            if place is not None:
                folder, key = place
                kept = _KEPT.setdefault(G, {})
                kept[name] = pickle.dumps(value, protocol=5)
                try:
                    _write_atomically(_views_file(folder, key), (_FORMAT, key, dict(kept)))
                except OSError:  # a read-only or full disk: the next start computes it again
                    pass
    return value


def made(G: nx.MultiDiGraph, name: str, default=None):
    """The result :func:`derived` has for ``G`` and ``name`` (computed in this process, or kept beside the graph's
    cache entry), or ``default`` when there is none yet; never computes it, never waits for it.

    For a result that only saves time (an index), so a caller can use it when it is there.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> made(G, "nodes"), derived(G, "nodes", lambda: 0), made(G, "nodes")
    (None, 0, 0)
    """
    with _LOCK:
        results = _DERIVED.setdefault(G, {})
        if name in results:
            return results[name]
        blob = _KEPT.get(G, {}).get(name)
    if blob is None:
        return default
    value = _unpickled(blob)
    if value is _MISSING:
        return default
    with _LOCK:
        return results.setdefault(name, value)


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


def _cache_folder(cache) -> Path | None:
    """The folder ``cache`` (a :func:`cached_build_graph` argument) names, or None when no cache is used."""
    if cache is True and os.environ.get(CACHE_ENV, "").strip().lower() in _OFF:
        return None
    if cache is False or cache is None:
        return None
    return cache_dir(cache)


def _remember(G: nx.MultiDiGraph, folder: Path, key: str, views: dict) -> None:
    _PLACE[G] = (folder, key)
    _KEPT[G] = dict(views)


def _load_or_build(folder: Path, key: str, docs, rosters, bundled, data_dir, progress, views=None,
                   reading=None) -> nx.MultiDiGraph:
    """The entry ``key`` of ``folder`` read back, or the graph built and stored there (see cached_build_graph)."""
    from .build import build_graph

    G = load_entry(_entry(folder, key), key, reading)
    if G is not None:
        _remember(G, folder, key, _load_views(folder, key) if views is None else views)
        return G
    G = build_graph(docs=docs, rosters=rosters, bundled=bundled, data_dir=data_dir, progress=progress)
    gc.freeze()  # as after a load (_read_pickle): the new graph lives on, so no collection walks it again
    try:
        store_entry(folder, key, G)
        _remember(G, folder, key, {})
    except OSError as exc:  # a read-only or full disk costs the next start a build, nothing more
        import warnings

        warnings.warn(f"could not write the graph cache in {folder}: {exc}", RuntimeWarning, stacklevel=2)
    return G


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
    folder = _cache_folder(cache)
    if folder is None:
        return build_graph(docs=docs, rosters=rosters, bundled=bundled, data_dir=data_dir, progress=progress)
    return _load_or_build(folder, input_key(docs, rosters, bundled, data_dir), docs, rosters, bundled, data_dir,
                          progress)


class GraphLoad:
    """A long-running program's start graph, read from the cache (or built) in a background thread; the results
    kept beside its cache entry (:func:`derived`) are readable at once, before the graph is in memory.

    The thread starts at once, or with ``start=False`` at :meth:`start` (e.g. once a first page drawn from
    :meth:`stored` is sent: the load would take half the interpreter from it). :meth:`stored` reads a kept result
    without the graph; :meth:`done`, :meth:`wait` and :attr:`progress` follow the load; :meth:`result` is the graph (or raises what the build raised, e.g. a
    :class:`loaders.errors.InputError`). The graph is frozen out of the cyclic collector's sight once it is in
    memory (it lives as long as the program), built or read. Arguments as for :func:`cached_build_graph`.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     G = GraphLoad(cache=tmp).result()  # built in the background and stored
    ...     _ = derived(G, "nodes", lambda: G.number_of_nodes())
    ...     again = GraphLoad(cache=tmp)  # a restart
    ...     again.stored("nodes") == G.number_of_nodes() == again.result().number_of_nodes()
    True
    """

    def __init__(self, docs=None, rosters=None, bundled: bool = True, data_dir=None, cache=True, start=True):
        self._inputs = (list(docs or []), list(rosters or []), bundled, data_dir)
        self._folder = _cache_folder(cache)
        self.key = input_key(*self._inputs) if self._folder is not None else None
        self._entry = _entry(self._folder, self.key) if self._folder is not None else None
        try:
            self._size = self._entry.stat().st_size if self._entry is not None else 0
        except OSError:
            self._size = 0
        # What was kept for this key, only when its graph is there to be read (else it is built, and kept anew).
        self._views = _load_views(self._folder, self.key) if self._size else {}
        self._stored: dict = {}
        self.reading = bool(self._size)  # True while an entry is read, False when the graph is built
        self._fraction = 0.0
        self._graph = self._error = None
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="graph-load", daemon=True)
        self._start_lock = threading.Lock()
        if start:
            self.start()

    def start(self) -> None:
        """Start reading (or building) the graph in the background, once (later calls do nothing)."""
        with self._start_lock:
            if not self._thread.is_alive() and not self._thread.ident:
                self._thread.start()

    def _run(self) -> None:
        docs, rosters, bundled, data_dir = self._inputs
        try:
            if self._folder is None:
                G = self._build()
            else:
                G = _load_or_build(self._folder, self.key, docs, rosters, bundled, data_dir, self._built,
                                   views=self._views, reading=self._read)
                with _LOCK:  # the results already read through stored() are the graph's, not read twice
                    results = _DERIVED.setdefault(G, {})
                    for name, value in self._stored.items():
                        if name in _KEPT.get(G, {}):
                            results.setdefault(name, value)
            self._graph = G
        except BaseException as exc:  # handed to the caller of result()
            self._error = exc
        finally:
            self._fraction = 1.0
            self._done.set()

    def _build(self) -> nx.MultiDiGraph:
        from .build import build_graph

        docs, rosters, bundled, data_dir = self._inputs
        self.reading = False
        G = build_graph(docs=docs, rosters=rosters, bundled=bundled, data_dir=data_dir, progress=self._built)
        gc.freeze()  # the start graph lives as long as the program: no collection need walk it again
        return G

    def _read(self, done: int) -> None:
        self._fraction = min(done / self._size, 1.0) if self._size else 0.0

    def _built(self, done: int, total: int) -> None:
        self.reading = False
        self._fraction = done / total if total else 0.0

    @property
    def progress(self) -> float:
        """How far the load is, 0 to 1 (bytes of the entry read, or documents built)."""
        return self._fraction

    def stored(self, name: str, default=None):
        """The result :func:`derived` kept under ``name`` beside this graph's entry, or ``default``."""
        if name not in self._stored:
            blob = self._views.get(name)
            value = _unpickled(blob) if blob is not None else _MISSING
            if value is _MISSING:
                return default
            self._stored[name] = value
        return self._stored[name]

    def done(self) -> bool:
        return self._done.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """True once the graph is loaded (or failed to), waiting up to ``timeout`` seconds (starting the load)."""
        self.start()
        return self._done.wait(timeout)

    def result(self) -> nx.MultiDiGraph:
        """The graph, waiting for it (starting the load); raises what building it raised."""
        self.start()
        self._done.wait()
        if self._error is not None:
            raise self._error
        return self._graph
