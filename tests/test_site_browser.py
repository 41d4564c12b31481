"""The built site in a real headless browser (Debian's chromium and chromium-driver).

The site is served from a real HTTP server on 127.0.0.1, and Selenium drives
Chromium through it as a reader would: the front page, a type page, pagination down
to the oldest item, the search box, a hostile item, a 360 px wide screen, and an
axe-core accessibility check. The run also saves the front page's screenshot to
docs/site-index.png, which the README and docs/site.md show.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLES, ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
AXE = Path(os.environ.get("COOPCLI_AXE", ROOT / ".ci/node/node_modules/axe-core/axe.min.js"))
SCREENSHOT = ROOT / "docs" / "site-index.png"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None or CHROMEDRIVER is None,
        reason="no browser: install Debian's chromium and chromium-driver (.ci/run does)",
    ),
]

HOSTILE_TITLE = (
    '<script>alert("title")</script><img src=x onerror=alert(2)> "onmouseover=alert(3) ]]>'
)
HOSTILE_SUMMARY = "\u202eevil\u202c <b onclick=alert(4)>bold</b> javascript:alert(5)"


def coopcli(env: dict[str, str], *args: str) -> str:
    """Run coopcli as a user would; return its stdout."""
    done = subprocess.run(
        [sys.executable, "-m", "coopcli", *args],
        env={**os.environ, **env},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@contextlib.contextmanager
def served(directory: Path) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1 in a thread; yield its URL."""
    from coopcli.site.serve import make_server

    server = make_server(directory, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The example list plus a hostile item, three items a page, served."""
    root = tmp_path_factory.mktemp("browser-site")
    item_file = root / "news.toml"
    shutil.copy(EXAMPLES / "news.toml", item_file)
    env = {"COOPCLI_FILE": str(item_file), "XDG_CONFIG_HOME": str(root / "config"),
           "XDG_CACHE_HOME": str(root / "cache"), "NO_COLOR": "1"}  # fmt: skip
    coopcli(env, "add", "--type", "statement", "--title", HOSTILE_TITLE, "--date", "2021-10-30",
            "--summary", HOSTILE_SUMMARY, "--tag", "<i>x</i>")  # fmt: skip
    output = root / "site"
    coopcli(env, "site", "--output", str(output), "--page-size", "3")
    with served(output) as url:
        yield url


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The example list's own site, as docs/site.md builds it, served."""
    root = tmp_path_factory.mktemp("browser-example")
    env = {"XDG_CONFIG_HOME": str(root / "config"), "XDG_CACHE_HOME": str(root / "cache")}
    output = root / "site"
    coopcli(env, "--file", str(EXAMPLES / "news.toml"), "site", "--output", str(output))
    with served(output) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A headless Chromium driven by Selenium."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--disable-gpu", "--window-size=1280,1000", "--lang=en-GB"):  # fmt: skip
        options.add_argument(argument)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def page(browser: Any) -> Any:
    """The browser at desktop size in light mode (each test starts from it)."""
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
    return browser


def wait_for(driver: Any, condition: Any) -> Any:
    """Wait (generously) for ``condition(driver)`` to be true."""
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, 30).until(condition)


def no_alert(driver: Any) -> None:
    """No dialog opened."""
    from selenium.common.exceptions import NoAlertPresentException

    with pytest.raises(NoAlertPresentException):
        driver.switch_to.alert.text  # noqa: B018 - reading it is the check


def titles(driver: Any) -> list[str]:
    """The item titles a list page shows."""
    from selenium.webdriver.common.by import By

    return [e.text for e in driver.find_elements(By.CSS_SELECTOR, "h2.entry-title a")]


def test_front_page_shows_the_newest_items(page: Any, site: str) -> None:
    from selenium.webdriver.common.by import By

    page.get(site)
    assert page.title == "News, stories and statements on cooperatives"
    shown = titles(page)
    assert shown[0] == HOSTILE_TITLE  # the newest, shown as text
    assert shown[1].startswith("ILO sheds light upon the role of cooperatives")
    labels = [e.text for e in page.find_elements(By.CSS_SELECTOR, ".entry .label")]
    assert labels[:3] == ["STATEMENT", "NEWS", "SPOTLIGHT INTERVIEWS WITH CO-OPERATORS"]
    dates = [e.text for e in page.find_elements(By.CSS_SELECTOR, ".entry time")]
    assert dates[:2] == ["30 October 2021", "29 October 2021"]
    no_alert(page)


def test_type_link_shows_only_that_type(page: Any, site: str) -> None:
    from selenium.webdriver.common.by import By

    page.get(site)
    page.find_element(By.LINK_TEXT, "Spotlight Interviews with Co-operators").click()
    wait_for(page, lambda d: "type/spotlight" in d.current_url)
    assert page.find_element(By.TAG_NAME, "h1").text == "Spotlight Interviews with Co-operators"
    assert titles(page) == ["Sung Ho Kim, International Cooperation Department, KFCC"]
    labels = {e.text for e in page.find_elements(By.CSS_SELECTOR, ".entry .label")}
    assert labels == {"SPOTLIGHT INTERVIEWS WITH CO-OPERATORS"}


def test_pagination_reaches_the_oldest_item(page: Any, site: str) -> None:
    from selenium.webdriver.common.by import By

    page.get(site)
    seen = titles(page)
    for _ in range(20):
        older = page.find_elements(By.CSS_SELECTOR, 'a[rel="next"]')
        if not older:
            break
        older[0].click()
        wait_for(page, lambda d: d.execute_script("return document.readyState") == "complete")
        seen += titles(page)
    assert len(seen) == 11
    assert len(set(seen)) == 11
    assert seen[-1].startswith("Training by ILO, ACTED to promote social solidarity")
    page.find_element(By.CSS_SELECTOR, 'a[rel="prev"]').click()  # and back to newer ones
    wait_for(page, lambda d: titles(d) and titles(d)[-1] != seen[-1])


def test_search_finds_an_item_by_a_word_of_its_summary(page: Any, site: str) -> None:
    from selenium.webdriver.common.by import By

    page.get(site)
    box = page.find_element(By.ID, "search-q")
    box.send_keys("catalyst2030")  # only in one item's summary
    box.submit()
    wait_for(page, lambda d: "match" in d.find_element(By.ID, "search-status").text)
    assert page.find_element(By.ID, "search-status").text == "1 item matches “catalyst2030”."
    results = page.find_elements(By.CSS_SELECTOR, "#search-results h2 a")
    expected = (
        "The UN Task Force on Social and Solidarity Economy (UNTFSSE) held its 37th regular meeting"
    )
    assert [r.text for r in results] == [expected]
    # Searching again on the search page itself: every word must match, any case or accent.
    field = page.find_element(By.ID, "search-page-q")
    field.clear()
    field.send_keys("AYSE champions")
    field.submit()
    wait_for(page, lambda d: "AYSE" in d.find_element(By.ID, "search-status").text)
    found = [r.text for r in page.find_elements(By.CSS_SELECTOR, "#search-results h2 a")]
    assert found == ["Ayşe Turunç Kankal, ILO Office for Turkey in Ankara"]
    field.clear()
    field.send_keys("catalyst2030")
    field.submit()
    wait_for(page, lambda d: "catalyst2030" in d.find_element(By.ID, "search-status").text)
    page.find_element(By.CSS_SELECTOR, "#search-results h2 a").click()
    wait_for(page, lambda d: "/item/" in d.current_url)
    assert page.find_element(By.TAG_NAME, "h1").text == expected


def test_search_shows_hostile_text_as_text(page: Any, site: str) -> None:
    from selenium.webdriver.common.by import By

    page.get(site + "search/index.html?q=script")
    wait_for(page, lambda d: "match" in d.find_element(By.ID, "search-status").text)
    assert [r.text for r in page.find_elements(By.CSS_SELECTOR, "#search-results h2 a")] == [
        HOSTILE_TITLE
    ]
    assert not page.find_elements(By.CSS_SELECTOR, "#search-results img, #search-results script")
    no_alert(page)


def test_hostile_item_is_shown_as_text(page: Any, site: str) -> None:
    from selenium.webdriver.common.by import By

    page.get(site)
    page.find_element(By.PARTIAL_LINK_TEXT, '<script>alert("title")').click()
    wait_for(page, lambda d: "/item/" in d.current_url)
    no_alert(page)
    assert page.find_element(By.TAG_NAME, "h1").text == HOSTILE_TITLE
    main = page.find_element(By.TAG_NAME, "main")
    assert not main.find_elements(By.CSS_SELECTOR, "img, b, i, script")
    assert "javascript:alert(5)" in main.text
    assert (
        page.execute_script(
            "return document.querySelectorAll('[onclick],[onerror],[onmouseover]').length"
        )
        == 0
    )
    assert page.find_element(By.CSS_SELECTOR, ".tags a").text == "<i>x</i>"
    no_alert(page)


def test_no_horizontal_scroll_at_360_px(page: Any, site: str) -> None:
    page.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 360, "height": 740, "deviceScaleFactor": 2, "mobile": True},
    )
    for path in ("", "type/news/index.html", "item/2021-10-28-sung-ho-kim.html",
                 "search/index.html?q=ilo", "tags/index.html", "page/1/index.html"):  # fmt: skip
        page.get(site + path)
        width = page.execute_script("return document.documentElement.scrollWidth")
        inner = page.execute_script("return window.innerWidth")
        assert width <= inner == 360, path


def axe_violations(driver: Any, url: str) -> list[dict[str, Any]]:
    """axe-core's serious and critical WCAG 2.1 A/AA violations on ``url``."""
    driver.get(url)
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
        ".then(r => done(JSON.stringify(r.violations)), e => done(JSON.stringify(String(e))));"
    )
    violations = json.loads(result)
    assert isinstance(violations, list), violations
    return [v for v in violations if v.get("impact") in ("serious", "critical")]


@pytest.mark.skipif(
    not AXE.is_file(), reason=f"axe-core not installed at {AXE} (.ci/run installs it)"
)
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(
    "path",
    [
        "",
        "type/spotlight/index.html",
        "item/2021-10-28-sung-ho-kim.html",
        "search/index.html?q=ilo",
    ],
)
def test_accessibility(page: Any, site: str, path: str, scheme: str) -> None:
    page.set_script_timeout(60)
    page.execute_cdp_cmd(
        "Emulation.setEmulatedMedia",
        {"features": [{"name": "prefers-color-scheme", "value": scheme}]},
    )
    found = axe_violations(page, site + path)
    assert not found, json.dumps(
        [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in found], indent=1
    )


def test_focus_is_visible(page: Any, site: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    page.get(site)
    page.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    focused = page.switch_to.active_element
    assert focused.text == "Skip to content"
    style = page.execute_script(
        "const s = getComputedStyle(document.activeElement);"
        "return [s.outlineStyle, s.outlineWidth];"
    )
    assert style[0] != "none"
    assert style[1] != "0px"


def test_front_page_screenshot(page: Any, example: str) -> None:
    """Save the example site's front page as docs/site-index.png."""
    page.set_window_size(1280, 1000)
    page.get(example)
    no_alert(page)
    SCREENSHOT.parent.mkdir(exist_ok=True)
    assert page.save_screenshot(str(SCREENSHOT))
    assert SCREENSHOT.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
