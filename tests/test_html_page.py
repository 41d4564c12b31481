"""The HTML export in a real browser (headless Chromium): on a phone and on a desktop.

A harness page loads the export in an iframe exactly as wide as the screen being
tried (headless Chromium's own window is never narrower than 500 px) and writes
what it measured into its own DOM, which ``--dump-dom`` prints.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Run

pytestmark = pytest.mark.slow

HARNESS = """<!DOCTYPE html>
<html><body style="margin:0">
<iframe id="page" src="page.html" style="width:%(width)dpx;height:900px;border:0"></iframe>
<pre id="out"></pre>
<script>
window.addEventListener("load", function () {
  var frame = document.getElementById("page");
  var doc = frame.contentDocument, win = frame.contentWindow;
  var chips = Array.prototype.map.call(doc.querySelectorAll(".tags li"), function (li) {
    var box = li.getBoundingClientRect();
    return {text: li.textContent, right: box.right, lines: li.getClientRects().length,
            height: box.height};
  });
  document.getElementById("out").textContent = JSON.stringify({
    viewport: win.innerWidth,
    scrollWidth: doc.documentElement.scrollWidth,
    chips: chips,
    ids: Array.prototype.map.call(doc.querySelectorAll("ol.items > li"),
                                  function (li) { return li.id; }),
    paragraphs: Array.prototype.map.call(doc.querySelectorAll(".summary"),
                                         function (p) { return p.textContent; })
  });
});
</script></body></html>
"""


def _browser() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("no Chromium to render the page in")


def measure(page: str, folder: Path, width: int) -> dict[str, Any]:
    """Render ``page`` in a ``width`` px wide frame and return the measurements."""
    (folder / "page.html").write_text(page, encoding="utf-8")
    harness = folder / f"harness-{width}.html"
    harness.write_text(HARNESS % {"width": width}, encoding="utf-8")
    done = subprocess.run(
        [
            _browser(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--allow-file-access-from-files",
            "--virtual-time-budget=10000",
            "--dump-dom",
            harness.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    found = re.search(r'<pre id="out">(.*?)</pre>', done.stdout, re.DOTALL)
    assert found is not None, done.stderr[-2000:]
    assert found.group(1), done.stderr[-2000:]
    result: dict[str, Any] = json.loads(html.unescape(found.group(1)))
    assert result["viewport"] == width
    return result


LONG_URL = "https://www.example.org/" + "a-very-long-path-segment-" * 12 + "end"
TAGS = [
    "social economy",
    "cooperatives",
    "child labour",
    "agriculture",
    "asia",
    "climate",
    "women entrepreneurs",
    "housing",
    "finance",
    "training",
    "indigenous peoples",
    "lebanon",
]


@pytest.fixture
def page(run: Run, news_file: Path) -> str:
    for n, (title, day) in enumerate(
        [("Alpha news", "2021-11-02"), ("Beta news", "2021-11-02"), ("Zeta news", "2021-11-02")]
    ):
        args = ["add", "-t", "news", "--title", title, "-d", day]
        if n == 0:
            args += ["--summary", f"First paragraph, see {LONG_URL}\n\nSecond paragraph."]
            for tag in TAGS:
                args += ["--tag", tag]
        assert run(*args).exit_code == 0
    assert run("add", "-t", "story", "--title", "Older", "-d", "2021-10-01").exit_code == 0
    result = run("export", "--format", "html")
    assert result.exit_code == 0
    return result.stdout


@pytest.mark.parametrize("width", [390, 1280])
def test_nothing_scrolls_sideways_and_tags_wrap_whole(
    page: str, tmp_path: Path, width: int
) -> None:
    seen = measure(page, tmp_path, width)
    assert seen["scrollWidth"] <= width
    assert len(seen["chips"]) == len(TAGS)
    assert all(chip["right"] <= width for chip in seen["chips"])
    # A two-word tag stays on one line inside its chip: as tall as a one-word one.
    heights = {chip["text"]: chip["height"] for chip in seen["chips"]}
    assert heights["women entrepreneurs"] == heights["asia"]
    assert all(chip["lines"] == 1 for chip in seen["chips"])


def test_summary_paragraphs_and_the_order_of_list(run: Run, page: str, tmp_path: Path) -> None:
    seen = measure(page, tmp_path, 390)
    assert seen["paragraphs"] == [f"First paragraph, see {LONG_URL}", "Second paragraph."]
    listed = [line.split("\t")[0] for line in run("list", "--format", "tsv").stdout.splitlines()]
    assert seen["ids"] == listed
    assert listed[:3] == ["2021-11-02-alpha-news", "2021-11-02-beta-news", "2021-11-02-zeta-news"]
