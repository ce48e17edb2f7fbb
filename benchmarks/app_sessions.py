"""Server-side sessions of the explorer, timed in one process (run by bench_app.py in a fresh process per reading).

    python benchmarks/app_sessions.py ROSTER --sessions 10     # N sessions opened at once, each timed
    python benchmarks/app_sessions.py ROSTER --changes         # one session's widget changes, each timed

Each session is a real script run of app.py (streamlit.testing AppTest) with the roster as start argument; the caches
are the server's (one per process, shared by every session as on a real server). A warm-up session first builds the
graph on another region, so nothing of the default view is cached. Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
sys.path.insert(0, str(ROOT))


def session(region: str | None = None):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=1800)
    if region:
        at.session_state["region"] = region
    return at


def timed_run(at) -> float:
    start = time.perf_counter()
    at.run()
    if at.exception:
        raise RuntimeError(at.exception[0].message)
    return time.perf_counter() - start


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("roster")
    ap.add_argument("--sessions", type=int, default=0)
    ap.add_argument("--changes", action="store_true")
    args = ap.parse_args(argv)
    sys.argv = [APP, "--roster", args.roster]  # the app's start arguments, as after `streamlit run app.py --`
    out = {"warm_up": timed_run(session("shanghai"))}
    if args.sessions:
        # CPython 3.11's compile() is not safe in several threads at once; a real server compiles app.py once and
        # caches it, AppTest compiles per session: serialise only that step.
        import builtins

        compile_lock, plain_compile = threading.Lock(), builtins.compile

        def locked_compile(*a, **k):
            with compile_lock:
                return plain_compile(*a, **k)

        builtins.compile = locked_compile
        times = [None] * args.sessions
        sessions = [session() for _ in range(args.sessions)]

        def one(i):
            times[i] = timed_run(sessions[i])

        threads = [threading.Thread(target=one, args=(i,)) for i in range(args.sessions)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        out["sessions"] = times
    if args.changes:
        at = session()
        timed_run(at)
        steps = []

        def change(label, action):
            action()
            steps.append((label, timed_run(at)))

        change("region: Pudong New Area", lambda: at.selectbox(key="region").set_value("pudong"))
        change("view: network", lambda: at.segmented_control(key="view").set_value("network"))
        change("filter: upstream stage", lambda: at.multiselect(key="stages").set_value(["upstream"]))
        change("search: AgiBot (listed, picked, centred)", lambda: at.text_input(key="search").input("AgiBot"))
        change("language: 中文", lambda: at.radio(key="language").set_value("中文"))
        change("view: coverage", lambda: at.segmented_control(key="view").set_value("coverage"))
        change("view: chain map, same state again", lambda: at.segmented_control(key="view").set_value("chain"))
        out["changes"] = steps
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
