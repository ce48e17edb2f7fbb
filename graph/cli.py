"""Command line: ``python -m graph COMMAND``; each command wraps one library function.

Exit codes: 0 success, 2 bad input (the error is printed on stderr and no output file is written), 1 anything else.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from loaders.errors import InputError

EXIT_OK, EXIT_ERROR, EXIT_BAD_INPUT = 0, 1, 2


def _inputs(p: argparse.ArgumentParser, rosters: bool = True) -> None:
    p.add_argument("--doc", action="append", default=[], metavar="PATH",
                   help="a text file to load (UTF-8, GB18030 or Shift_JIS); repeatable")
    if rosters:
        p.add_argument("--roster", action="append", default=[], metavar="PATH",
                       help="a roster CSV to merge; repeatable")
    p.add_argument("--no-bundled", action="store_true",
                   help="leave out the bundled seed documents and reference roster (data/ catalogue still applies)")


def app_inputs(argv: list[str]) -> dict:
    """The explorer's own arguments, given after ``--``: ``streamlit run app.py -- --roster big.csv --doc a.txt``.

    Returns ``build_graph`` keyword arguments (tuples, so they can key a cache).

    Examples
    --------
    >>> app_inputs(["--roster", "r.csv", "--no-bundled"])
    {'docs': (), 'rosters': ('r.csv',), 'bundled': False}
    """
    p = argparse.ArgumentParser(prog="streamlit run app.py --", description="Open the explorer on more data.")
    _inputs(p)
    args = p.parse_args(argv)
    return {"docs": tuple(args.doc), "rosters": tuple(args.roster), "bundled": not args.no_bundled}


def _graph(args):
    from tqdm import tqdm

    from graph import build_graph

    # A progress bar per document on a terminal (tqdm stays silent when stderr is not one).
    with tqdm(unit="doc", desc="documents", file=sys.stderr, disable=None, leave=False) as bar:
        def progress(done, total):
            bar.total = total
            bar.update(done - bar.n)

        return build_graph(docs=args.doc, rosters=getattr(args, "roster", []), bundled=not args.no_bundled,
                           progress=progress)


def _print_json(data) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def cmd_build(args) -> int:
    from graph import write_graph
    from graph.io import format_of

    format_of(args.out)  # refuse a bad extension before doing any work
    t0 = time.perf_counter()
    G = _graph(args)
    write_graph(G, args.out)
    print(f"wrote {args.out}: {G.number_of_nodes()} nodes, {G.number_of_edges()} edges "
          f"({time.perf_counter() - t0:.2f} s)", file=sys.stderr)
    return EXIT_OK


def cmd_entities(args) -> int:
    from graph.query import found_entities

    rows = found_entities(_graph(args))
    if args.json:
        _print_json(rows)
        return EXIT_OK
    for r in rows:
        print(f"{r['type']:<13} {r['name']}  [{r['name_zh']} / {r['name_ja']}]  mentions={r['mentions']}")
        for ev in r["evidence"][: args.evidence]:
            print(f"    {ev['doc']} #{ev['sentence']} [{ev['start']}:{ev['end']}] {ev['quote']}")
    print(f"{len(rows)} entities found", file=sys.stderr)
    return EXIT_OK


def cmd_claims(args) -> int:
    from graph.query import claim_rows

    rows = claim_rows(_graph(args), include_disputes=args.disputes)
    if args.json:
        _print_json(rows)
        return EXIT_OK
    for r in rows:
        who = ", ".join(r["subject_names"]) or "-"
        extra = f"  ({r['reconciliation']})" if r["reconciliation"] else ""
        print(f"{r['metric']:<24} {r['qualifier'] or '':<9} {r['display_value']:<14} {r['unit'] or '':<20} {who}{extra}")
        if r["sentence_text"]:
            print(f"    {r['doc']} #{r['sentence']}: 「{r['text']}」 in: {r['sentence_text']}")
        for s in r["sources"]:
            print(f"    source: {s.get('source')}: {s.get('quote', '')}")
    print(f"{len(rows)} claims", file=sys.stderr)
    return EXIT_OK


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m graph",
        description="Ecosystem Graph Explorer: turn policy and news texts plus company rosters into a "
                    "provenance-linked graph, and check, analyse and export it.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("build", help="build the graph and write it (.graphml, .gexf or .json)")
    _inputs(p)
    p.add_argument("--out", required=True, metavar="FILE", help="output file; the extension picks the format")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("entities", help="list the entities found in the documents, with evidence")
    _inputs(p)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--evidence", type=int, default=3, metavar="N", help="evidence lines per entity in the table")
    p.set_defaults(func=cmd_entities)

    p = sub.add_parser("claims", help="list the quantities the documents state, with their sentences")
    _inputs(p)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--no-disputes", dest="disputes", action="store_false",
                   help="leave out the statements of other sources from data/disputes.yaml")
    p.set_defaults(func=cmd_claims)

    for register in _extra_commands():
        register(sub)
    return parser


def _extra_commands():
    """Commands defined next to the functions they wrap (coverage, export, push, pull)."""
    regs = []
    for mod in ("graph.coverage", "graph.export", "graph.neo4j_io"):
        try:
            module = __import__(mod, fromlist=["register_cli"])
        except ModuleNotFoundError as exc:
            if exc.name == mod:
                continue
            raise
        if hasattr(module, "register_cli"):
            regs.append(module.register_cli)
    return regs


def main(argv=None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
