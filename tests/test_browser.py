"""The explorer as a person sees it: Debian's headless chromium (Playwright) against `streamlit run app.py`, with
tesseract reading the screenshots.

Each view is photographed into test-artifacts/ and read by OCR: organisation names must be readable on the opening
page, a click where OCR found a name must open that organisation, a picked search match must be centred, and the
coverage view must say its verdict first. Fails on JavaScript errors, on any request that leaves localhost, and on
hostile text that runs as HTML.
"""

import pytest

from browser import (ARTIFACTS, CHROMIUM_ARGS, VIEWPORT, component_frame, find_chromium, graph_frame, is_local,
                     names_read, ocr_text, ocr_words, show_view, streamlit_server, tesseract, word_box)

playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")
CHROMIUM = find_chromium()
pytestmark = [pytest.mark.skipif(CHROMIUM is None, reason="no chromium here: .ci/run installs Debian's chromium "
                                                          "(apt-get install chromium); set CHROMIUM=/path otherwise"),
              pytest.mark.skipif(tesseract() is None, reason="no tesseract here: .ci/run installs tesseract-ocr "
                                                             "with chi_sim and jpn")]

HOSTILE_NAME = "<img src=x onerror=alert(1)>"
HOSTILE_ROSTER = f'name,segments,region,source\n"{HOSTILE_NAME}",reducers,zhangjiang,browser test\n'.encode()
HOSTILE_DOC = "AgiBot said <script>alert(2)</script> in Zhangjiang.".encode()


@pytest.fixture(scope="module")
def browser_page():
    with streamlit_server(use_config=True) as url, playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport=VIEWPORT)
        seen = {"requests": [], "errors": [], "console": [], "dialogs": []}
        page.on("request", lambda r: seen["requests"].append(r.url))
        page.on("pageerror", lambda e: seen["errors"].append(str(e)))
        page.on("console", lambda m: seen["console"].append(m.text) if m.type == "error" else None)
        page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
        page.goto(url, wait_until="domcontentloaded")
        yield page, seen
        browser.close()


@pytest.fixture(scope="module")
def org_names(seed_graph):
    names = set()
    for _, d in seed_graph.nodes(data=True):
        if d["type"] in ("Company", "Institution"):
            names |= {x for x in (d.get("name"), d.get("name_en")) if x}
    return names


def inspector_heading(page) -> str:
    """The inspector's title: the h3 under its "Inspector" heading, in the column beside the drawing."""
    column = page.locator('[data-testid="stColumn"]').nth(1)
    return column.locator("h3").nth(1).inner_text(timeout=30_000)


def wait_for_heading(page, text: str, timeout_ms: int = 30_000):
    page.locator('[data-testid="stColumn"]').nth(1).locator("h3", has_text=text).first.wait_for(timeout=timeout_ms)


def clean(seen):
    outside = [u for u in seen["requests"] if not is_local(u)]
    assert not outside, f"the page requested beyond localhost: {outside}"
    assert not seen["errors"], seen["errors"]
    assert not seen["console"], seen["console"]


def test_opening_page_is_a_readable_chain_map(browser_page, org_names):
    page, seen = browser_page
    frame = component_frame(page, "#chainmap")
    frame.locator(".chip").first.wait_for()
    page.wait_for_timeout(800)
    shot = ARTIFACTS / "explorer-1-chain-map.png"
    page.screenshot(path=str(shot))
    text = ocr_text(shot, "eng+chi_sim")
    read = names_read(text, org_names)
    assert len(read) >= 10, f"OCR read only {len(read)} organisation names on the opening page: {sorted(read)}"
    assert "Upstream" in text and "Midstream" in text and "Downstream" in text
    clean(seen)
    assert seen["requests"], "no request was recorded at all"

    # A click where OCR read a name opens that organisation beside the map.
    words = ocr_words(shot, "eng")
    name, box = next((n, word_box(words, n)) for n in ("Fourier", "Leaderdrive", "AgiBot") if word_box(words, n))
    page.mouse.click(box["x"] + box["w"] / 2, box["y"] + box["h"] / 2)
    wait_for_heading(page, name)
    page.wait_for_timeout(500)
    page.screenshot(path=str(ARTIFACTS / "explorer-2-chain-map-click.png"))
    assert inspector_heading(page) == name


def test_a_segment_box_lists_its_firms(browser_page):
    page, seen = browser_page
    frame = component_frame(page, "#chainmap")
    frame.locator(".seg", has_text="Complete machines").first.click(position={"x": 6, "y": 6})
    wait_for_heading(page, "Complete machines")
    column = page.locator('[data-testid="stColumn"]').nth(1)
    column.get_by_text("Firms in Zhangjiang").first.wait_for(timeout=30_000)
    clean(seen)


def test_network_labels_are_readable_and_a_click_opens_a_node(browser_page, org_names):
    page, seen = browser_page
    show_view(page, "Network")
    frame = graph_frame(page)
    page.wait_for_timeout(1500)
    assert frame.evaluate("() => network.physics.options.enabled") is False
    drawn = frame.evaluate("() => nodes.length")
    caption = page.get_by_text("nodes drawn").first.inner_text()
    assert drawn == int(caption.split()[0]) > 50
    shot = ARTIFACTS / "explorer-3-network.png"
    page.screenshot(path=str(shot))
    element = frame.frame_element()
    box = element.bounding_box()
    text = ocr_text(shot, "eng+chi_sim", crop=(int(box["x"]), int(box["y"]), int(box["x"] + box["width"]),
                                               int(box["y"] + box["height"])))
    read = names_read(text, org_names)
    assert len(read) >= 5, f"OCR read only {len(read)} organisation names on the network: {sorted(read)}"
    assert "Upstream" in text and "Downstream" in text  # lane headers on the canvas
    # Everything is inside the frame: the frame is as tall as its content and the drawing fits the canvas.
    inside = frame.evaluate("""() => { const c = network.canvas.frame.canvas, r = c.getBoundingClientRect();
        return Object.values(network.getPositions()).every(p => { const d = network.canvasToDOM(p);
          return d.x >= 0 && d.y >= 0 && d.x <= c.clientWidth && d.y <= c.clientHeight; })
          && document.documentElement.scrollHeight <= window.innerHeight + 2; }""")
    assert inside

    # Click the node under a name OCR read: the inspector opens it.
    name = next(n for n in ("Kepler Robotics", "Fourier", "AgiBot", "Moore Threads") if n in read)
    node_id = frame.evaluate("name => nodes.get().find(n => n.text === name).id", name)
    spot = frame.evaluate("id => network.canvasToDOM(network.getPosition(id))", node_id)
    canvas = frame.locator("#mynetwork canvas").bounding_box()
    page.mouse.click(canvas["x"] + spot["x"], canvas["y"] + spot["y"])
    wait_for_heading(page, name)
    page.screenshot(path=str(ARTIFACTS / "explorer-4-network-click.png"))
    clean(seen)


def test_search_lists_matches_and_centres_the_pick(browser_page):
    page, seen = browser_page
    show_view(page, "Network")  # the pick is centred in the network drawing, whichever view an earlier test left
    page.get_by_role("textbox", name="Entity name in any language").fill("智元")
    page.keyboard.press("Enter")
    page.get_by_text("AgiBot World · dataset").wait_for(timeout=30_000)
    page.get_by_text("AgiBot World · dataset").click()
    wait_for_heading(page, "AgiBot World")
    page.wait_for_timeout(1500)
    frame = graph_frame(page)
    where = frame.evaluate("""() => { const c = network.canvas.frame.canvas;
        const p = network.canvasToDOM(network.getPosition('agibot_world'));
        return {x: p.x / c.clientWidth, y: p.y / c.clientHeight, selected: network.getSelectedNodes()}; }""")
    assert abs(where["x"] - 0.5) < 0.1 and abs(where["y"] - 0.5) < 0.1 and where["selected"] == ["agibot_world"]
    page.mouse.move(5, 5)  # no tooltip over the drawing
    page.wait_for_timeout(300)
    shot = ARTIFACTS / "explorer-5-search.png"
    page.screenshot(path=str(shot))
    box = frame.frame_element().bounding_box()
    read = ocr_text(shot, "eng", crop=(int(box["x"] + box["width"] * 0.3), int(box["y"] + box["height"] * 0.3),
                                       int(box["x"] + box["width"] * 0.85), int(box["y"] + box["height"] * 0.7)))
    assert names_read(read, ["AgiBot World"])  # the pick is drawn, labelled, in the middle
    page.get_by_role("textbox", name="Entity name in any language").fill("")
    page.keyboard.press("Enter")
    clean(seen)


def test_coverage_says_its_verdict_first(browser_page):
    page, seen = browser_page
    show_view(page, "Coverage")
    page.get_by_text("The text states").first.wait_for(timeout=30_000)
    page.wait_for_timeout(1000)
    shot = ARTIFACTS / "explorer-6-coverage.png"
    page.screenshot(path=str(shot))
    column = page.locator('[data-testid="stColumn"]').first.bounding_box()
    text = ocr_text(shot, "eng", crop=(int(column["x"]), int(column["y"]), int(column["x"] + column["width"]),
                                       int(column["y"] + column["height"])))
    first = " ".join(text.split())
    assert first.startswith("The text states about 60%; the graph supports at least"), first[:200]
    assert first.index("consistent, a lower bound") < first.index("What the rosters add") < first.index("Gaps")
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    chart.scroll_into_view_if_needed()
    page.wait_for_timeout(1500)
    shot = ARTIFACTS / "explorer-6b-coverage-chart.png"
    page.screenshot(path=str(shot))
    text = " ".join(ocr_text(shot, "eng").split())
    assert "Dexterous hands and end effectors" in text and "Commercial, sports, culture and entertainment" in text
    clean(seen)


def test_claims_show_disputes_and_languages_switch(browser_page):
    page, seen = browser_page
    show_view(page, "Claims")
    page.get_by_text("are disputed by another source").wait_for(timeout=30_000)
    page.wait_for_timeout(1000)
    shot = ARTIFACTS / "explorer-7-claims.png"
    page.screenshot(path=str(shot))
    text = ocr_text(shot, "eng")
    assert "disputed" in text and "Registered large models" in text
    show_view(page, "Chain map")
    page.get_by_text("中文", exact=True).click()
    frame = component_frame(page, "#chainmap")
    frame.locator(".stagehead", has_text="上游").wait_for(timeout=30_000)
    page.wait_for_timeout(800)
    shot = ARTIFACTS / "explorer-8-chain-map-zh.png"
    page.screenshot(path=str(shot))
    text = "".join(ocr_text(shot, "chi_sim+eng").split())
    assert "上游" in text and "中游" in text and "下游" in text and "产业链" in text
    page.get_by_text("日本語", exact=True).click()
    frame = component_frame(page, "#chainmap")
    frame.locator(".stagehead", has_text="上流").wait_for(timeout=30_000)
    page.wait_for_timeout(800)
    page.screenshot(path=str(ARTIFACTS / "explorer-9-chain-map-ja.png"))
    page.get_by_text("English", exact=True).click()
    component_frame(page, "#chainmap").locator(".stagehead", has_text="Upstream").wait_for(timeout=30_000)
    clean(seen)


def test_hostile_names_and_quotes_show_as_text(browser_page):
    page, seen = browser_page
    show_view(page, "Chain map")  # whichever view an earlier test left
    page.locator('[data-testid="stSidebar"]').get_by_text("Data", exact=True).click()
    uploads = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
    uploads.nth(0).set_input_files({"name": "hostile.txt", "mimeType": "text/plain", "buffer": HOSTILE_DOC})
    page.wait_for_timeout(1000)
    uploads.nth(1).set_input_files({"name": "hostile.csv", "mimeType": "text/csv", "buffer": HOSTILE_ROSTER})
    frame = component_frame(page, "#chainmap")
    chip = frame.locator(".chip", has_text=HOSTILE_NAME)
    chip.wait_for(timeout=60_000)
    assert chip.inner_text() == HOSTILE_NAME
    assert frame.evaluate("() => [...document.querySelectorAll('img')].length") == 0
    chip.click()
    page.wait_for_timeout(1500)
    assert inspector_heading(page) == HOSTILE_NAME
    page.screenshot(path=str(ARTIFACTS / "explorer-10-hostile-inspector.png"))

    # In the network the name is canvas text and the tooltip is built from text nodes.
    show_view(page, "Network")
    frame = graph_frame(page)
    tooltip = frame.evaluate("""name => { const n = nodes.get().find(n => n.tooltip === undefined && n.text &&
                                                                     n.text.startsWith('<img'));
        return n && {isElement: n.title instanceof HTMLElement, text: n.title.textContent,
                     tags: [...n.title.querySelectorAll('*')].map(e => e.tagName)}; }""", HOSTILE_NAME)
    assert tooltip and tooltip["isElement"] and HOSTILE_NAME in tooltip["text"]
    assert set(tooltip["tags"]) <= {"DIV"}
    page.get_by_role("textbox", name="Entity name in any language").fill("AgiBot")
    page.keyboard.press("Enter")
    page.get_by_text("<script>alert(2)</script>", exact=False).first.wait_for(timeout=30_000)
    assert page.evaluate("() => [...document.querySelectorAll('img')].filter(i => i.getAttribute('src') === 'x')"
                         ".length") == 0
    assert not seen["dialogs"], f"hostile text ran as script: {seen['dialogs']}"
    clean(seen)


def test_downloads_are_made_on_click(browser_page):
    page, seen = browser_page
    show_view(page, "Export")
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="GraphML").click()
    path = download.value.path()
    head = open(path, encoding="utf-8").read(4000)
    assert download.value.suggested_filename == "ecosystem.graphml"
    assert head.startswith("<?xml") and "<graphml" in head and 'attr.name="name_zh"' in head
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Current view (HTML, offline)").click()
    view = open(download.value.path(), encoding="utf-8").read()
    assert "new vis.Network" in view and 'src="http' not in view and 'href="http' not in view
    assert "<img src=x" not in view  # the hostile name is inside the JSON spec, escaped
    clean(seen)


def test_server_listens_on_localhost_only_and_asks_nobody_for_its_address():
    import socket
    import subprocess
    import sys
    import time

    from bolt_server import free_port
    from browser import ROOT

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                             "--server.fileWatcherType", "none"], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        out, deadline = "", time.monotonic() + 60
        while "URL:" not in out and time.monotonic() < deadline:
            out += proc.stdout.readline()
        time.sleep(0.5)
        assert "127.0.0.1" in out and "External URL" not in out and "Network URL" not in out, out
        outward = socket.gethostbyname(socket.gethostname())
        if outward != "127.0.0.1" and not outward.startswith("127."):
            with pytest.raises(OSError):
                socket.create_connection((outward, port), timeout=2).close()
    finally:
        proc.terminate()
        proc.wait(10)
