"""The explorer in a real browser: Debian's headless chromium driven by Playwright against `streamlit run app.py`.

Fails on JavaScript errors, on any request that leaves localhost, and on hostile text that runs as HTML.
Screenshots go to test-artifacts/.
"""

import pytest

from browser import ARTIFACTS, CHROMIUM_ARGS, find_chromium, graph_frame, is_local, streamlit_server

playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")
CHROMIUM = find_chromium()
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no chromium here: .ci/run installs Debian's chromium "
                                                         "(apt-get install chromium); set CHROMIUM=/path otherwise")

HOSTILE_NAME = "<img src=x onerror=alert(1)>"
HOSTILE_ROSTER = f'name,segments,region,source\n"{HOSTILE_NAME}",reducers,zhangjiang,browser test\n'.encode()
HOSTILE_DOC = "AgiBot said <script>alert(2)</script> in Zhangjiang.".encode()


@pytest.fixture(scope="module")
def browser_page():
    with streamlit_server() as url, playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1500, "height": 1000})
        seen = {"requests": [], "errors": [], "console": [], "dialogs": []}
        page.on("request", lambda r: seen["requests"].append(r.url))
        page.on("pageerror", lambda e: seen["errors"].append(str(e)))
        page.on("console", lambda m: seen["console"].append(m.text) if m.type == "error" else None)
        page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
        page.goto(url, wait_until="domcontentloaded")
        yield page, seen
        browser.close()


def test_graph_draws_offline_without_errors(browser_page):
    page, seen = browser_page
    frame = graph_frame(page)
    drawn = frame.evaluate("() => nodes.length")
    caption = page.get_by_text("nodes drawn").first.inner_text()
    assert drawn == int(caption.split()[0]) > 100
    assert frame.evaluate("() => network.physics.options.enabled") is False
    page.wait_for_timeout(500)
    page.screenshot(path=str(ARTIFACTS / "explorer-graph.png"))
    outside = [u for u in seen["requests"] if not is_local(u)]
    assert not outside, f"the page requested beyond localhost: {outside}"
    assert not seen["errors"], seen["errors"]
    assert not seen["console"], seen["console"]
    assert seen["requests"], "no request was recorded at all"


def test_hostile_names_and_quotes_show_as_text(browser_page):
    page, seen = browser_page
    before = graph_frame(page).evaluate("() => nodes.length")
    uploads = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
    uploads.nth(0).set_input_files({"name": "hostile.txt", "mimeType": "text/plain", "buffer": HOSTILE_DOC})
    page.wait_for_timeout(1000)
    uploads.nth(1).set_input_files({"name": "hostile.csv", "mimeType": "text/csv", "buffer": HOSTILE_ROSTER})
    frame = graph_frame(page, more_than=before)  # the redrawn graph, with the uploaded roster's firm
    tooltip = frame.evaluate("""name => {
        const n = nodes.get().find(n => n.label === name.slice(0, 40));
        return n && {isElement: n.title instanceof HTMLElement, text: n.title.textContent,
                     tags: [...n.title.querySelectorAll('*')].map(e => e.tagName)};
    }""", HOSTILE_NAME)
    assert tooltip and tooltip["isElement"] and HOSTILE_NAME in tooltip["text"]
    assert set(tooltip["tags"]) <= {"B", "BR"}
    assert frame.evaluate("() => [...document.querySelectorAll('img')].filter(i => i.getAttribute('src') === 'x')"
                          ".length") == 0

    # Hover the node: vis-network shows its tooltip; the hostile name must be text in it, not an element.
    element = frame.frame_element()
    element.scroll_into_view_if_needed()
    node_id = frame.evaluate("name => nodes.get().find(n => n.label === name.slice(0, 40)).id", HOSTILE_NAME)
    frame.evaluate("id => network.focus(id, {scale: 1.2, animation: false})", node_id)
    page.wait_for_timeout(300)
    spot = frame.evaluate("""id => { const p = network.canvasToDOM(network.getPosition(id));
        const r = document.getElementById('mynetwork').getBoundingClientRect(); return {x: r.x + p.x, y: r.y + p.y}; }""",
                          node_id)
    box = element.bounding_box()
    page.mouse.move(box["x"] + spot["x"], box["y"] + spot["y"])
    page.mouse.move(box["x"] + spot["x"] + 1, box["y"] + spot["y"])
    frame.wait_for_selector("div.vis-tooltip", state="visible", timeout=10_000)
    shown = frame.evaluate("() => { const t = document.querySelector('div.vis-tooltip');"
                           " return {text: t.textContent, images: t.querySelectorAll('img, script').length}; }")
    assert HOSTILE_NAME in shown["text"] and shown["images"] == 0
    page.screenshot(path=str(ARTIFACTS / "explorer-hostile-tooltip.png"))

    page.get_by_role("textbox", name="Entity name in any language").fill("AgiBot")
    page.keyboard.press("Enter")
    page.get_by_role("tab", name="Inspector").click()
    page.get_by_text("<script>alert(2)</script>", exact=False).first.wait_for(timeout=30_000)
    page.get_by_role("textbox", name="Entity name in any language").fill("<img src=x")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name=HOSTILE_NAME).wait_for(timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "explorer-hostile-inspector.png"), full_page=True)
    assert page.evaluate("() => [...document.querySelectorAll('img')].filter(i => i.getAttribute('src') === 'x')"
                         ".length") == 0
    assert not seen["dialogs"], f"hostile text ran as script: {seen['dialogs']}"
    assert not seen["errors"], seen["errors"]
    assert not [u for u in seen["requests"] if not is_local(u)]


def test_downloads_are_made_on_click(browser_page):
    page, seen = browser_page
    page.get_by_role("tab", name="Export").click()
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
    assert not seen["errors"], seen["errors"]
