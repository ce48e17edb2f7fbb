"""The on-disk graph cache (graph/cache.py): hits give the same graph, any changed input misses, bad entries rebuild."""

import json
import shutil

import pytest

import graph.build
import graph.cache as cache
from graph import build_graph
from graph.cache import cached_build_graph, input_key
from loaders.paths import DATA_DIR

ROSTER = ("name,name_zh,name_en,name_ja,segments,region,source\n"
          "\"Cache Test Robotics Co., Ltd.\",缓存测试机器人科技有限公司,,,reducers,Minhang,https://example.org/a\n"
          "Zhiyuan Robotics,,,,sensors,zhangjiang,https://example.org/b\n")
TEXT = "缓存测试机器人科技有限公司与智元机器人在闵行签署减速器供货协议。智元机器人计划年产1000台人形机器人。\n"


@pytest.fixture
def inputs(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    doc = tmp_path / "news.zh.txt"
    doc.write_text(TEXT, encoding="utf-8")
    return {"docs": [str(doc)], "rosters": [str(roster)], "bundled": False}


def canonical(G) -> tuple:
    dump = lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False, default=str)  # noqa: E731
    return (list(G.nodes), sorted(dump([n, d]) for n, d in G.nodes(data=True)),
            sorted(dump([u, v, k, d]) for u, v, k, d in G.edges(keys=True, data=True)), dump(G.graph))


def entries(folder):
    return sorted(folder.glob("graph-*.pickle")) if folder.exists() else []


def refuse_build(*args, **kwargs):
    raise AssertionError("built although the cache holds this graph")


def test_hit_returns_an_equal_graph_without_building(inputs, tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    built = cached_build_graph(**inputs, cache=folder)
    assert len(entries(folder)) == 1
    assert canonical(built) == canonical(build_graph(**inputs))  # a cached build is the build
    monkeypatch.setattr(graph.build, "build_graph", refuse_build)
    again = cached_build_graph(**inputs, cache=folder)
    assert again is not built and canonical(again) == canonical(built)
    assert not list(folder.glob("*.tmp"))  # written through a temporary file that was renamed


def test_build_graph_cache_argument_and_environment_folder(inputs, tmp_path, monkeypatch):
    folder = tmp_path / "env-cache"
    monkeypatch.setenv(cache.CACHE_ENV, str(folder))
    G = build_graph(**inputs, cache=True)
    assert len(entries(folder)) == 1
    monkeypatch.setattr(graph.build, "_build_graph", refuse_build)
    assert canonical(build_graph(**inputs, cache=True)) == canonical(G)


def test_changing_a_roster_byte_misses(inputs, tmp_path):
    folder = tmp_path / "cache"
    first = cached_build_graph(**inputs, cache=folder)
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER.replace("reducers", "sensors", 1), encoding="utf-8")  # same length, one fact changed
    second = cached_build_graph(**inputs, cache=folder)
    assert len(entries(folder)) == 2
    assert canonical(first) != canonical(second)
    assert canonical(second) == canonical(build_graph(**inputs))


def test_changing_a_document_or_its_metadata_misses(inputs, tmp_path):
    key = input_key(**inputs)
    (tmp_path / "news.zh.meta.yaml").write_text("title: 新闻\n", encoding="utf-8")
    with_meta = input_key(**inputs)
    (tmp_path / "news.zh.txt").write_text(TEXT.replace("1000", "2000"), encoding="utf-8")
    assert len({key, with_meta, input_key(**inputs)}) == 3


def test_changing_a_data_file_misses(inputs, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    key = input_key(**inputs, data_dir=data)
    assert input_key(**inputs, data_dir=data) == key
    with open(data / "analysis.yaml", "a", encoding="utf-8") as fh:
        fh.write("\n# a comment is a change too\n")
    assert input_key(**inputs, data_dir=data) != key
    assert input_key(**inputs) != key  # the bundled data/ is another input again


def test_changing_the_code_misses(inputs, tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    cached_build_graph(**inputs, cache=folder)
    key = input_key(**inputs)
    monkeypatch.setattr(cache, "code_version", lambda: "another version of graph/ and loaders/")
    assert input_key(**inputs) != key
    cached_build_graph(**inputs, cache=folder)
    assert len(entries(folder)) == 2


def test_code_version_covers_the_sources():
    version = cache.code_version()
    assert len(version) == 64 and version == cache.code_version()


@pytest.mark.parametrize("damage", ["garbage", "truncated", "other key"])
def test_a_corrupt_or_foreign_entry_is_ignored_and_rebuilt(inputs, tmp_path, damage):
    folder = tmp_path / "cache"
    good = cached_build_graph(**inputs, cache=folder)
    [entry] = entries(folder)
    data = entry.read_bytes()
    if damage == "garbage":
        entry.write_bytes(b"not a pickle at all")
    elif damage == "truncated":
        entry.write_bytes(data[: len(data) // 2])
    else:  # a valid entry stored under another name must not be served for this key
        other = tmp_path / "other.csv"
        other.write_text(ROSTER.replace("Minhang", "Pudong"), encoding="utf-8")
        cached_build_graph(docs=inputs["docs"], rosters=[str(other)], bundled=False, cache=folder)
        [foreign] = [p for p in entries(folder) if p != entry]
        shutil.copyfile(foreign, entry)
    rebuilt = cached_build_graph(**inputs, cache=folder)
    assert canonical(rebuilt) == canonical(good)
    assert cache.load_entry(entry, input_key(**inputs)) is not None  # the entry was rewritten whole


def test_disabled_cache_writes_nothing(inputs, tmp_path, monkeypatch):
    folder = tmp_path / "never"
    monkeypatch.setenv(cache.CACHE_ENV, str(folder))
    build_graph(**inputs)
    build_graph(**inputs, cache=False)
    cached_build_graph(**inputs, cache=False)
    assert not folder.exists()


def test_old_entries_beyond_the_limit_are_removed(inputs, tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setattr(cache, "KEEP", 2)
    for i in range(3):
        monkeypatch.setattr(cache, "code_version", lambda i=i: f"version {i}")
        cached_build_graph(**inputs, cache=folder)
    assert len(entries(folder)) == 2


def test_environment_can_turn_the_default_cache_off(inputs, tmp_path, monkeypatch):
    monkeypatch.setenv(cache.CACHE_ENV, "off")
    monkeypatch.chdir(tmp_path)
    cached_build_graph(**inputs, cache=True)
    assert not (tmp_path / "off").exists() and not entries(tmp_path)


def test_command_line_cache_flag(inputs, tmp_path, capsys):
    from graph.cli import main

    folder = tmp_path / "cli-cache"
    args = ["entities", "--no-bundled", "--doc", inputs["docs"][0], "--json"]
    assert main(args) == 0
    assert not folder.exists()  # no --cache: nothing written
    first = capsys.readouterr().out
    assert main(args + ["--cache", str(folder)]) == 0
    assert len(entries(folder)) == 1
    assert main(args + ["--cache", str(folder)]) == 0
    assert len(entries(folder)) == 1
    assert capsys.readouterr().out == first * 2  # the same answer from the built and the cached graph


def views_files(folder):
    return sorted(folder.glob("views-*.pickle")) if folder.exists() else []


def test_derived_results_are_kept_beside_the_entry_and_read_by_the_next_start(inputs, tmp_path):
    from graph.coverage import chain_coverage

    folder = tmp_path / "cache"
    G = cached_build_graph(**inputs, cache=folder)
    assert cache.key_of(G) == input_key(**inputs)
    card = cache.derived(G, "coverage:minhang", lambda: chain_coverage(G, "minhang"))
    assert [p.name[len("views-"):] for p in views_files(folder)] == [p.name[len("graph-"):] for p in entries(folder)]
    calls = []
    again = cached_build_graph(**inputs, cache=folder)  # a restart: a new graph object read from the entry
    kept = cache.derived(again, "coverage:minhang", lambda: calls.append(1))
    assert not calls and kept == card == chain_coverage(again, "minhang")  # read back, equal to a fresh computation


def test_derived_computes_once_while_another_thread_asks_and_made_never_computes(inputs, tmp_path):
    import threading
    import time

    import networkx as nx

    G, calls, out, started = nx.MultiDiGraph(), [], [], threading.Event()

    def slow():
        calls.append("first")
        started.set()
        time.sleep(0.3)
        return "value"

    first = threading.Thread(target=lambda: out.append(cache.derived(G, "x", slow)))
    first.start()
    assert started.wait(10)
    assert cache.made(G, "x") is None  # being computed: not there yet, and made() does not wait for it
    out.append(cache.derived(G, "x", lambda: calls.append("second")))  # waits for the first thread's result
    first.join()
    assert calls == ["first"] and out == ["value", "value"] and cache.made(G, "x") == "value"
    folder = tmp_path / "cache"
    built = cached_build_graph(**inputs, cache=folder)
    assert cache.made(built, "nodes") is None
    cache.derived(built, "nodes", built.number_of_nodes)
    again = cached_build_graph(**inputs, cache=folder)  # a restart: the kept result is there without computing
    assert cache.made(again, "nodes") == built.number_of_nodes()


@pytest.mark.parametrize("damage", ["garbage", "other key"])
def test_a_bad_views_file_is_ignored(inputs, tmp_path, damage):
    folder = tmp_path / "cache"
    G = cached_build_graph(**inputs, cache=folder)
    cache.derived(G, "answer", lambda: 42)
    [views] = views_files(folder)
    if damage == "garbage":
        views.write_bytes(b"\x80\x05 not a pickle")
    else:  # the results of another graph under this graph's name
        import pickle

        views.write_bytes(pickle.dumps((cache._FORMAT, "another key", {"answer": 41})))
    again = cached_build_graph(**inputs, cache=folder)
    assert cache.derived(again, "answer", lambda: 42) == 42


def test_views_go_with_their_entry_and_plain_graphs_keep_nothing(inputs, tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setattr(cache, "KEEP", 1)
    for i in range(2):
        monkeypatch.setattr(cache, "code_version", lambda i=i: f"version {i}")
        cache.derived(cached_build_graph(**inputs, cache=folder), "answer", lambda: 42)
    assert len(entries(folder)) == len(views_files(folder)) == 1
    plain = build_graph(**inputs)
    assert cache.key_of(plain) is None and cache.derived(plain, "answer", lambda: 7) == 7
    assert len(views_files(folder)) == 1


def test_graph_load_reads_in_the_background_and_gives_kept_results_before_the_graph(inputs, tmp_path, monkeypatch):
    from graph.view import opening_view

    folder = tmp_path / "cache"
    first = cache.GraphLoad(**inputs, cache=folder)  # a first start: built in the background and stored
    G = first.result()
    assert first.key == input_key(**inputs) == cache.key_of(G) and len(entries(folder)) == 1
    assert canonical(G) == canonical(build_graph(**inputs))
    page = cache.derived(G, "opening", lambda: opening_view(G))
    monkeypatch.setattr(graph.build, "_build_graph", refuse_build)
    again = cache.GraphLoad(**inputs, cache=folder, start=False)  # a restart
    assert not again.done() and again.reading
    assert again.stored("opening") == page and again.stored("no such result") is None  # before the graph is read
    assert not again.done()
    H = again.result()  # starts the load
    assert again.done() and again.progress == 1.0 and canonical(H) == canonical(G)
    assert cache.derived(H, "opening", lambda: 1 / 0) == page  # read back, not computed again
    assert opening_view(H) == page


def test_graph_load_hands_a_build_error_to_its_caller(tmp_path):
    from loaders.errors import InputError

    bad = tmp_path / "bad.csv"
    bad.write_text("name,segments,region,source\nNowhere Robotics,reducers,atlantis,user upload\n", encoding="utf-8")
    load = cache.GraphLoad(rosters=[str(bad)], bundled=False, cache=tmp_path / "cache")
    assert load.wait(120)
    with pytest.raises(InputError, match="atlantis"):
        load.result()
    assert not entries(tmp_path / "cache")


def test_loading_shares_the_interpreter(inputs, tmp_path):
    """The entry is read through Python-level reads (one per pickle frame), where another thread can take the lock."""
    folder = tmp_path / "cache"
    G = cached_build_graph(**inputs, cache=folder)
    seen = []
    again = cache.load_entry(entries(folder)[0], input_key(**inputs), progress=seen.append)
    assert canonical(again) == canonical(G)
    assert len(seen) > 2 and seen == sorted(seen) and seen[-1] == entries(folder)[0].stat().st_size
