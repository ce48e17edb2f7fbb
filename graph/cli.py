"""Command line: ``python -m graph COMMAND``; each command is a thin wrapper over one library function.

Exit codes: 0 success; 2 bad input (the error is printed on stderr and no output file is written); 3 an output that
cannot be written; 4 a server that cannot be reached or used; 1 anything else.
Every command is defined in this module (nothing registers itself from elsewhere), so a command whose library part
cannot be imported fails loudly instead of disappearing from ``--help``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from contextlib import contextmanager

from loaders.clean import input_limit
from loaders.errors import ConnectionFailure, InputError, OutputError

EXIT_OK, EXIT_ERROR, EXIT_BAD_INPUT, EXIT_OUTPUT, EXIT_SERVER = 0, 1, 2, 3, 4


# ------------------------------------------------------------------------------------------------------ shared parts
def _inputs(p: argparse.ArgumentParser, rosters: bool = True) -> None:
    p.add_argument("--doc", action="append", default=[], metavar="PATH",
                   help="a text file to load (UTF-8, GB18030 or Shift_JIS); repeatable")
    if rosters:
        p.add_argument("--roster", action="append", default=[], metavar="PATH",
                       help="a roster CSV to merge; repeatable")
    p.add_argument("--no-bundled", action="store_true",
                   help="leave out the bundled seed documents and reference roster (data/ catalogue still applies)")
    p.add_argument("--max-input-mb", type=float, default=None, metavar="MB",
                   help="refuse input files larger than this (default 50, or $GRAPH_MAX_INPUT_MB)")
    p.add_argument("--cache", nargs="?", const=True, default=False, metavar="DIR",
                   help="reuse the graph built from the same inputs and code, kept in DIR (default "
                        "$ECOSYSTEM_GRAPH_CACHE or ~/.cache/ecosystem-graph; safe to delete)")


LAYOUT_CHOICES = {"chain-lanes": "chain lanes", "force-directed": "force-directed", "none": None}


def _layout(p: argparse.ArgumentParser) -> None:
    p.add_argument("--layout", choices=list(LAYOUT_CHOICES), default="chain-lanes",
                   help="node positions written into the files (default: the app's chain lanes)")


def _json_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print JSON")


def _bolt(p: argparse.ArgumentParser) -> None:
    p.add_argument("--uri", required=True, help="bolt://HOST:PORT or neo4j://HOST:PORT")
    p.add_argument("--user", help="user name (required unless --no-auth)")
    p.add_argument("--password-env", default="NEO4J_PASSWORD", metavar="VAR",
                   help="environment variable holding the password (default NEO4J_PASSWORD); if it is not set "
                        "you are prompted")
    p.add_argument("--no-auth", action="store_true", help="the server takes no credentials")
    p.add_argument("--database", default=None, help="database name (Neo4j); refused by a server that ignores it")
    p.add_argument("--timeout", type=float, default=60.0, metavar="S",
                   help="seconds to wait for the server's answer to one query (default 60)")
    p.add_argument("--connect-timeout", type=float, default=5.0, metavar="S",
                   help="seconds to open a connection (TCP, Bolt handshake, login), tried twice (default 5)")


def _auth(args):
    if args.no_auth:
        return None
    if not args.user:
        raise InputError("give --user (or --no-auth for a server without authentication)", field="user")
    return args.user, _password(args.password_env)


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


@contextmanager
def _progress(unit: str, desc: str):
    """A tqdm bar on stderr (silent when stderr is not a terminal); yields ``progress(done, total)``."""
    from tqdm import tqdm

    with tqdm(unit=unit, desc=desc, file=sys.stderr, disable=None, leave=False) as bar:
        def progress(done, total):
            bar.total = total
            bar.update(done - bar.n)

        yield progress


def _graph(args, rosters=None):
    from graph import build_graph

    with _progress("doc", "documents") as progress:
        return build_graph(docs=args.doc, rosters=getattr(args, "roster", []) if rosters is None else rosters,
                           bundled=not args.no_bundled, progress=progress, cache=getattr(args, "cache", False))


def _print_json(data) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def _password(var: str) -> str:
    import getpass
    import os

    if var in os.environ:
        return os.environ[var]
    if sys.stdin is not None and sys.stdin.isatty():
        return getpass.getpass("Password: ")
    raise InputError(f"no password: set the environment variable {var} (or run in a terminal to be prompted)",
                     field="password-env")


# ---------------------------------------------------------------------------------------------------------- commands
def cmd_build(args) -> int:
    from collections import Counter

    from graph.export import refuse_output_over_inputs
    from graph.io import format_of, write_graph

    format_of(args.out)  # refuse a bad extension before doing any work
    refuse_output_over_inputs(args.out, [*args.doc, *args.roster])
    t0 = time.perf_counter()
    G = _graph(args)
    notes = Counter()
    write_graph(G, args.out, layout=LAYOUT_CHOICES[args.layout], notes=notes)
    for what, n in notes.items():
        print(f"note: {n} {what}", file=sys.stderr)
    print(f"wrote {args.out}: {G.number_of_nodes()} nodes, {G.number_of_edges()} edges "
          f"({time.perf_counter() - t0:.2f} s)", file=sys.stderr)
    return EXIT_OK


def cmd_entities(args) -> int:
    from graph.query import found_entities

    if getattr(args, "discovered", False):
        return _discovered(args)
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


def _discovered(args) -> int:
    """``entities --discovered``: what discovery found, with confidence, patterns and evidence, for review."""
    from graph.discovery import discovered_entities

    rows = discovered_entities(_graph(args))
    if args.json:
        _print_json(rows)
        return EXIT_OK
    for r in rows:
        names = " / ".join(n for n in (r["name_zh"], r["name_en"], r["name_ja"]) if n and n != r["name"])
        print(f"{r['type']:<12} {r['name']}{f'  [{names}]' if names else ''}  confidence={r['confidence']:.2f}  "
              f"found_by={','.join(r['found_by'])}  mentions={r['mentions']}  id={r['id']}")
        for ev in r["evidence"][: args.evidence]:
            print(f"    {ev['doc']} #{ev['sentence']} [{ev['start']}:{ev['end']}] {ev['quote']}")
    print(f"{len(rows)} discovered entities", file=sys.stderr)
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


def cmd_coverage(args) -> int:
    from graph.coverage import chain_coverage, what_if
    from graph.report import format_scorecard
    from loaders.weights import load_weights

    weights = load_weights(args.weights) if args.weights else None
    G = _graph(args)
    if args.roster:  # what the added rosters change: the same inputs without them, then with them
        result = what_if(_graph(args, rosters=[]), G, args.region, weights)
        card, diff = result["after"], result["diff"]
    else:
        card, diff = chain_coverage(G, args.region, weights), None
    if args.json:
        _print_json({**card, **({"what_if": diff} if diff else {})})
    else:
        print(format_scorecard(card, diff))
    return EXIT_OK


def cmd_export(args) -> int:
    from graph.export import export_bundle

    manifest = export_bundle(_graph(args), args.bundle, layout=LAYOUT_CHOICES[args.layout],
                             inputs=[*args.doc, *args.roster])
    for what, n in manifest["replaced"].items():
        print(f"note: {n} {what}", file=sys.stderr)
    for name, f in manifest["files"].items():
        print(f"{f['bytes']:>10}  {name}", file=sys.stderr)
    print(f"wrote {len(manifest['files'])} files and manifest.json to {args.bundle}", file=sys.stderr)
    return EXIT_OK


def cmd_push(args) -> int:
    from graph.neo4j import connect, push

    auth = _auth(args)
    with connect(args.uri, auth, args.database, args.timeout, args.connect_timeout) as conn:  # fails before the build
        G = _graph(args)
        with _progress("item", "push") as progress:
            report = push(G, args.uri, auth, batch_size=args.batch_size, progress=progress, conn=conn,
                          falkordb_redis=args.falkordb_redis, timeout=args.timeout,
                          connect_timeout=args.connect_timeout)
    for note in report["schema"]["notes"]:
        print(f"note: {note}", file=sys.stderr)
    print(f"pushed {sum(report['nodes'].values())} nodes and {sum(report['relationships'].values())} relationships "
          f"to {report['uri']} ({report['server']}) in {report['seconds']:.2f} s: sent {report['sent']}, "
          f"{report['skipped']} unchanged", file=sys.stderr)
    return EXIT_OK


def cmd_pull(args) -> int:
    from graph.io import format_of, write_graph
    from graph.neo4j import pull

    format_of(args.out)
    G = pull(args.uri, _auth(args), args.database, timeout=args.timeout, connect_timeout=args.connect_timeout)
    if G.number_of_nodes() == 0:
        print(f"note: {args.uri} holds no nodes with an id in that database; was the graph pushed there?",
              file=sys.stderr)
    write_graph(G, args.out)
    print(f"wrote {args.out}: {G.number_of_nodes()} nodes, {G.number_of_edges()} edges", file=sys.stderr)
    return EXIT_OK


# ------------------------------------------------------------------------------------------------------------ parser
def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m graph",
        description="Ecosystem Graph Explorer: turn policy and news texts plus company rosters into a "
                    "provenance-linked graph, and check, analyse and export it.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("build", help="build the graph and write it (.graphml, .gexf, .json, .graphology.json or .cyjs)")
    _inputs(p)
    p.add_argument("--out", required=True, metavar="FILE", help="output file; the extension picks the format")
    _layout(p)
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("entities", help="list the entities found in the documents, with evidence")
    _inputs(p)
    _json_flag(p)
    p.add_argument("--evidence", type=int, default=3, metavar="N", help="evidence lines per entity in the table")
    p.add_argument("--discovered", action="store_true",
                   help="only entities discovery found (no catalogue or roster lists them), with confidence and the "
                        "patterns that found them, for review")
    p.set_defaults(func=cmd_entities)

    p = sub.add_parser("claims", help="list the quantities the documents state, with their sentences")
    _inputs(p)
    _json_flag(p)
    p.add_argument("--no-disputes", dest="disputes", action="store_false",
                   help="leave out the statements of other sources from data/disputes.yaml")
    p.set_defaults(func=cmd_claims)

    p = sub.add_parser("coverage", help="score chain coverage of a region against the share the texts state")
    _inputs(p)
    p.add_argument("--region", default=None,
                   help="region id or name in any language (default: data/analysis.yaml default_region)")
    p.add_argument("--weights", metavar="FILE", help="per-segment weights (YAML mapping or CSV segment,weight)")
    _json_flag(p)
    p.set_defaults(func=cmd_coverage)

    p = sub.add_parser("export", help="write every format (GraphML, GEXF, JSON, CSV, Cypher, neo4j-admin) and a "
                                      "manifest into a directory")
    _inputs(p)
    p.add_argument("--bundle", required=True, metavar="DIR", help="output directory")
    _layout(p)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("push", help="write the graph to Neo4j or another Bolt server (idempotent)")
    _bolt(p)
    _inputs(p)
    p.add_argument("--batch-size", type=int, default=1000, metavar="N", help="rows per UNWIND batch")
    p.add_argument("--falkordb-redis", metavar="URL", default=None,
                   help="redis://HOST:PORT of the same FalkorDB: write over its Redis port in full batches (its "
                        "Bolt bridge takes ~10 rows per message); checked to be the server behind --uri")
    p.set_defaults(func=cmd_push)

    p = sub.add_parser("pull", help="read the graph back from a Bolt server and write it to a file")
    _bolt(p)
    p.add_argument("--out", required=True, metavar="FILE", help=".graphml, .gexf or .json")
    p.set_defaults(func=cmd_pull)
    return parser


@contextmanager
def _input_warnings_on_stderr():
    """Print what the loaders cleaned or dropped (loaders.clean.InputWarning) as ``warning: file:line: ...``."""
    import warnings

    from loaders.clean import InputWarning

    with warnings.catch_warnings():
        warnings.simplefilter("always", InputWarning)
        shown = warnings.showwarning

        def show(message, category, filename, lineno, file=None, line=None):
            if issubclass(category, InputWarning):
                print(f"warning: {message}", file=sys.stderr)
            else:
                shown(message, category, filename, lineno, file, line)

        warnings.showwarning = show
        yield


def main(argv=None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    try:
        with _input_warnings_on_stderr(), input_limit(getattr(args, "max_input_mb", None)):
            code = args.func(args)
            sys.stdout.flush()  # a full disk behind stdout shows here, not as a traceback at exit
            return code
    except OutputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_OUTPUT
    except ConnectionFailure as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_SERVER
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        _stdout_to_devnull()
        return EXIT_OK
    except OSError as exc:  # standard output cannot be written (e.g. redirected to a full disk or /dev/full)
        _stdout_to_devnull()
        print(f"error: cannot write the output: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_OUTPUT


def _stdout_to_devnull() -> None:
    """Point stdout at /dev/null so the interpreter's last flush at exit does not fail a second time."""
    import os

    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):
        pass
