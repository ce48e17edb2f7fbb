"""Server-side sessions of the explorer, timed (run by bench_app.py in a fresh process per reading).

    python benchmarks/app_sessions.py ROSTER --sessions 10     # N sessions opened at once on a real server
    python benchmarks/app_sessions.py ROSTER --changes         # one session's widget changes, each timed

``--sessions``: a real ``streamlit run app.py -- --roster ROSTER`` server (fresh, so its caches are empty) and N
websocket clients speaking Streamlit's own protocol (the BackMsg a browser sends to run the page, the ForwardMsgs it
gets back), all sent at once; each session is timed from its run request to the server's ``script_finished``, so
the figure is the server's whole script run for that visitor, without a browser's drawing time. The server runs
without the on-disk cache, and a warm-up session first opens another region (``?region=Shanghai``), so the graph is
built but nothing of the default view is computed yet.
(Earlier this used AppTest sessions in threads; AppTest swaps one process-wide mock Runtime per run, so sessions
run at once failed with "Runtime hasn't been created!".)

``--changes``: widget changes in one session, each a real script run of app.py (streamlit.testing AppTest); the
caches are the process's, as on a server. Prints JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
for p in (ROOT, ROOT / "tests"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))
WARM_QUERY, WARM_KEY = "region=Shanghai", b":shanghai:"  # the region in the URL, its id in the chain map's key


async def _ws_session(url: str, query: str = "", timeout_s: float = 1800) -> tuple[float, bytes]:
    """One visitor: connect, ask for a run of the page, wait for the end of the run. Returns (seconds, deltas)."""
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    async with websockets.connect(url.replace("http://", "ws://") + "/_stcore/stream", subprotocols=["streamlit"],
                                  max_size=None, open_timeout=timeout_s) as ws:
        msg = BackMsg()
        msg.rerun_script.query_string = query
        msg.rerun_script.page_script_hash = ""
        start = time.perf_counter()
        await ws.send(msg.SerializeToString())
        seen = []
        while True:
            fm = ForwardMsg()
            fm.ParseFromString(await asyncio.wait_for(ws.recv(), timeout_s))
            kind = fm.WhichOneof("type")
            if kind == "delta":
                if fm.delta.new_element.WhichOneof("type") == "exception":
                    raise RuntimeError("the page failed: " + fm.delta.new_element.exception.message)
                seen.append(fm.SerializeToString())
            elif kind == "script_finished":
                seconds = time.perf_counter() - start
                if fm.script_finished != ForwardMsg.FINISHED_SUCCESSFULLY:
                    raise RuntimeError(f"the page's run ended with status {fm.script_finished}")
                return seconds, b"".join(seen)


def server_sessions(roster: str, n: int, env: dict | None = None) -> dict:
    """A fresh server on ``roster``; a warm-up session on another region, then ``n`` sessions at once, each timed."""
    from browser import streamlit_server

    async def crowd(url):
        return await asyncio.gather(*[_ws_session(url) for _ in range(n)])

    # No on-disk cache: the server builds the graph in the warm-up, and the default view (which a cache entry would
    # keep beside the graph, graph.cache.derived) is computed by the sessions being measured.
    env = {"ECOSYSTEM_GRAPH_CACHE": "off", **(env or {})}
    with streamlit_server(env=env, app_args=["--roster", roster], timeout=120) as url:
        warm, drawn = asyncio.run(_ws_session(url, WARM_QUERY))
        if WARM_KEY not in drawn:
            raise RuntimeError("the warm-up session did not draw the other region's chain map")
        runs = asyncio.run(crowd(url))
    return {"warm_up": warm, "sessions": [seconds for seconds, _ in runs]}


def session(region: str | None = None):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=1800)
    if region:
        at.session_state["region"] = region
    return at


def timed_run(at, cpu: bool = False):
    """Seconds of one script run (wall clock; with ``cpu``, also this process's CPU seconds, which other work on a
    shared machine does not inflate: AppTest runs the script in this process)."""
    start, cpu_start = time.perf_counter(), time.process_time()
    at.run()
    if at.exception:
        raise RuntimeError(at.exception[0].message)
    wall = time.perf_counter() - start
    return (wall, time.process_time() - cpu_start) if cpu else wall


def widget_changes(roster: str) -> dict:
    """One AppTest session: warm-up on another region, the first run, then each widget change timed."""
    sys.argv = [APP, "--roster", roster]  # the app's start arguments, as after `streamlit run app.py --`
    out = {"warm_up": timed_run(session("shanghai"))}
    at = session()
    out["first"] = timed_run(at)
    steps = []

    def change(label, action):
        action()
        steps.append((label, *timed_run(at, cpu=True)))

    change("region: Pudong New Area", lambda: at.selectbox(key="region").set_value("pudong"))
    change("view: network", lambda: at.segmented_control(key="view").set_value("network"))
    change("filter: upstream stage", lambda: at.multiselect(key="stages").set_value(["upstream"]))
    change("search: AgiBot (listed, picked, centred)", lambda: at.text_input(key="search").input("AgiBot"))
    change("language: 中文", lambda: at.radio(key="language").set_value("中文"))
    change("size by mentions", lambda: at.radio(key="size_by").set_value("mentions"))
    change("layout: force-directed", lambda: at.radio(key="layout").set_value("force-directed"))
    change("above the cap: top by degree", lambda: at.selectbox(key="above_cap").set_value("top_degree"))
    change("view: coverage", lambda: at.segmented_control(key="view").set_value("coverage"))
    change("view: chain map, same state again", lambda: at.segmented_control(key="view").set_value("chain"))
    out["changes"] = steps
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("roster")
    ap.add_argument("--sessions", type=int, default=0)
    ap.add_argument("--changes", action="store_true")
    args = ap.parse_args(argv)
    out = {}
    if args.sessions:
        out.update(server_sessions(args.roster, args.sessions))
    if args.changes:
        out.update(widget_changes(args.roster))
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
