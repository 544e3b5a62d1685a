"""The HTML report in real headless Chromium (Debian's, driven by Playwright): it loads
with no console error and no network request, filters and search change the visible rows,
a finding expands, hostile text never runs, and a screenshot of the summary is kept."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpers import FIXTURES, REPO, lockaudit

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "test-artifacts"
HOSTILE_NAME = 'evil"><img src=x onerror=alert(2)><script>alert(1)<script>{{ 7*7 }}.py'
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed (.ci/run installs it)"
)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        yield chromium
        chromium.close()


def open_report(browser, html: Path, width: int = 1280, dark: bool = False):
    page = browser.new_page(viewport={"width": width, "height": 900}, color_scheme="dark" if dark else "light")
    problems: list[str] = []
    requests: list[str] = []
    dialogs: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    def route(route):
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            requests.append(route.request.url)
            route.abort()

    page.route("**/*", route)
    page.goto(html.as_uri())
    page.wait_for_load_state("load")
    return page, problems, requests, dialogs


def visible_rows(page) -> int:
    return page.locator("tr.finding:not([hidden])").count()


def test_report_loads_filters_and_expands(browser, tmp_path: Path) -> None:
    html = tmp_path / "report.html"
    assert lockaudit("scan", FIXTURES / "concentrated-stack", "--html", html).returncode == 0
    page, problems, requests, dialogs = open_report(browser, html)
    assert problems == [] and requests == [] and dialogs == []
    total = page.locator("tr.finding").count()
    assert total == visible_rows(page) > 0
    page.select_option("#f-severity", "low")
    low = visible_rows(page)
    assert 0 < low < total
    assert all(
        s == "low"
        for s in page.locator("tr.finding:not([hidden])").evaluate_all("rows => rows.map(r => r.dataset.severity)")
    )
    assert page.locator("#f-count").inner_text() == f"{low} shown"
    page.select_option("#f-severity", "")
    page.fill("#f-text", "uv.lock")
    assert visible_rows(page) == 1
    page.fill("#f-text", "")
    page.select_option("#f-rule", "owner-concentration")
    assert visible_rows(page) == 1
    summary = page.locator("tr.finding:not([hidden]) details > summary").first
    summary.click()
    assert page.locator("tr.finding:not([hidden]) details").first.evaluate("d => d.open") is True
    page.select_option("#f-rule", "hard-coded-model-id")
    row = page.locator("tr.finding:not([hidden])").first
    snippet = row.locator("pre.snippet")
    assert not snippet.is_visible()
    row.locator("summary").focus()
    page.keyboard.press("Enter")  # the rows expand from the keyboard too
    assert snippet.is_visible()
    hit = snippet.locator(".hit")
    assert hit.count() == 1 and 'model="gpt-4.1-mini"' in hit.inner_text()
    number = int(hit.locator(".no").inner_text())
    assert f":{number}" in row.locator("td").nth(2).inner_text()  # the highlighted line is the finding's line
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#summary").screenshot(path=str(ARTIFACTS / "report-summary.png"))
    assert (ARTIFACTS / "report-summary.png").stat().st_size > 10_000


def test_hostile_strings_render_as_text_and_never_run(browser, tmp_path: Path) -> None:
    root = tmp_path / "project"
    root.mkdir()
    (root / HOSTILE_NAME).write_text(
        'import openai\nMODEL = "gpt-4o"  # </script><script>alert(3)</script>"><img src=x onerror=alert(4)>\n'
    )
    (root / "app.py").write_text("import os\n")
    html = tmp_path / "report.html"
    assert lockaudit("scan", root, "--html", html).returncode == 0
    page, problems, requests, dialogs = open_report(browser, html)
    page.wait_for_timeout(300)  # give an injected onerror handler the chance to fire
    assert dialogs == [] and problems == [] and requests == []
    assert page.locator("img").count() == 0
    assert HOSTILE_NAME in page.locator("#findings").inner_text()
    assert "{{ 7*7 }}" in page.content()
    page.locator("tr.finding summary").first.click()  # the hostile code line is in a snippet, as text
    assert "<script>alert(3)</script>" in page.locator("pre.snippet").first.inner_text()
    page.wait_for_timeout(200)
    assert dialogs == [] and page.locator("img").count() == 0
    shutil.rmtree(root)


@pytest.mark.parametrize(("width", "dark"), [(1440, False), (1440, True), (390, False), (390, True)])
def test_readable_on_a_phone_and_a_desktop_in_light_and_dark(browser, tmp_path: Path, width: int, dark: bool) -> None:
    """No horizontal page scroll at 390 px: wide tables scroll in their own box; long paths wrap."""
    tree = tmp_path / "tree"
    shutil.copytree(FIXTURES / "resolution", tree)
    deep = tree / "app" / ("very_long_folder_name_" * 4) / "and_another_long_module_name_for_a_phone.py"
    deep.parent.mkdir(parents=True)
    deep.write_text("import openai\n\nclient = openai.OpenAI()\n")
    html = tmp_path / "report.html"
    assert lockaudit("scan", tree, "--html", html, "--no-cache").returncode == 0
    page, problems, requests, _ = open_report(browser, html, width, dark)
    assert not problems and not requests
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # the page itself never scrolls sideways
    assert "\\x0a" not in page.inner_text("body")  # the template's own line breaks are never text
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert (background == "rgb(13, 17, 23)") == dark
    pictures = page.locator(".picture svg")
    assert pictures.count() == 2  # the boundary map and the coupling map
    for index in range(2):
        box = pictures.nth(index).bounding_box()
        assert box is not None and box["height"] > 100
        if width == 390:  # a picture keeps legible text and scrolls in its own box
            assert box["width"] >= 900
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"report-{width}-{'dark' if dark else 'light'}.png"), full_page=False)
    page.locator("#boundary .picture").screenshot(
        path=str(ARTIFACTS / f"boundary-map-{width}-{'dark' if dark else 'light'}.png")
    )
    page.close()


def test_portfolio_page_sorts_links_each_report_and_keeps_names_inert(browser, tmp_path: Path) -> None:
    """The portfolio in Chromium: no error or request, the repository table sorts by a column,
    each repository links to its own report (which opens), and a hostile name stays text."""
    import json

    from helpers import history_repository

    for name in ("switching", "decoupling"):
        history_repository(tmp_path / name, name)
        assert lockaudit("scan", tmp_path / name, "--json", tmp_path / f"{name}.json", "-q").returncode == 0
    audit = json.loads((tmp_path / "switching.json").read_text())
    audit["repository"]["name"] = HOSTILE_NAME
    (tmp_path / "switching.json").write_text(json.dumps(audit))
    (tmp_path / "out").mkdir()
    result = lockaudit(
        "portfolio", "switching.json", "decoupling.json", "--html", "out/p.html", "--reports", "out/repos",
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    page, problems, requests, dialogs = open_report(browser, tmp_path / "out" / "p.html")
    assert problems == [] and requests == [] and dialogs == []
    names = lambda: page.locator("#repos tbody th").all_inner_texts()  # noqa: E731
    assert names() == [HOSTILE_NAME, "decoupling"]  # the most locked-in first, the name shown as text
    page.get_by_role("button", name="Score").click()  # already ascending: now descending
    assert names() == ["decoupling", HOSTILE_NAME]
    assert page.locator("#repos thead th").nth(1).get_attribute("aria-sort") == "descending"
    page.get_by_role("button", name="Repository").click()
    assert names() == ["decoupling", HOSTILE_NAME]  # "d" before "e"
    assert page.locator(".heat tbody tr").count() == 2
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280  # wide tables scroll in their own box
    link = page.locator("#repos tbody th a", has_text="decoupling")
    href = link.get_attribute("href")
    assert href is not None and href.startswith("repos/decoupling-")
    link.click()
    page.wait_for_load_state("load")
    assert page.locator("h1").first.inner_text() == "Vendor lock-in report: decoupling"
    assert problems == [] and requests == [] and dialogs == []
    page.close()
