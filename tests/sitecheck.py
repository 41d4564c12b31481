"""Checks of a built site shared by the site tests: pages, links, feeds, sitemap."""

from __future__ import annotations

import json
import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree

import html5lib

from tests.conftest import ROOT

BASE = "https://news.example.org/coop/"
HTML_NS = "{http://www.w3.org/1999/xhtml}"
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def generated_toml(count: int) -> str:
    """``count`` realistic items from the benchmark's generator, as an item file."""
    from tests.test_benchmarks import generate

    return str(generate.to_toml(generate.items(count)))


def generated_ids(count: int) -> list[str]:
    """The ids of :func:`generated_toml`'s items, oldest first."""
    from tests.test_benchmarks import generate

    return [item.id for item in generate.items(count)]


@dataclass
class Page:
    """A parsed page of the site."""

    path: str
    tree: ElementTree.Element
    links: list[str] = field(default_factory=list)

    def find_all(self, tag: str) -> list[ElementTree.Element]:
        """Every element named ``tag``."""
        return list(self.tree.iter(HTML_NS + tag))

    def titles(self) -> list[str]:
        """The titles of the items a list page shows, in order."""
        return [
            "".join(h.itertext()).strip()
            for h in self.find_all("h2")
            if "entry-title" in (h.get("class") or "")
        ]

    def item_links(self) -> list[str]:
        """The links of the item titles a list page shows, in order."""
        return [
            a.get("href") or ""
            for h in self.find_all("h2")
            if "entry-title" in (h.get("class") or "")
            for a in h.iter(HTML_NS + "a")
        ]

    def text(self, tag: str) -> list[str]:
        """The text of every element named ``tag``."""
        return ["".join(element.itertext()).strip() for element in self.find_all(tag)]


def parse_page(output: Path, path: str) -> Page:
    """Parse a page with html5lib in strict mode (any parse error fails the test)."""
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=True)
    data = (output / path).read_bytes()
    tree = parser.parse(data, transport_encoding="utf-8")
    page = Page(path, tree)
    for element in tree.iter():
        for attribute in ("href", "src"):
            value = element.get(attribute)
            if value is not None:
                page.links.append(value)
    return page


def html_paths(output: Path) -> list[str]:
    """Every HTML file of the site, site-relative."""
    return sorted(p.relative_to(output).as_posix() for p in output.rglob("*.html"))


def local_target(page_path: str, link: str, root_path: str = "/") -> str | None:
    """The site path a link on ``page_path`` leads to, or None for an external link."""
    parts = urlsplit(link)
    if parts.scheme or parts.netloc:
        return None
    if not parts.path:
        return page_path  # a fragment or query on the same page
    if parts.path.startswith("/"):
        target = posixpath.normpath(unquote(parts.path)).removeprefix(root_path.rstrip("/"))
        target = target.lstrip("/")
    else:
        target = posixpath.normpath(
            posixpath.join(posixpath.dirname(page_path), unquote(parts.path))
        )
    if target.endswith("/") or target in ("", "."):
        target = target.rstrip("./") + "/index.html" if target not in ("", ".") else "index.html"
    return target


def check_site(output: Path, *, root_path: str = "/coop/") -> dict[str, Page]:
    """Parse every page strictly and check that every internal link resolves to a
    file of the site; return the pages by path."""
    pages = {path: parse_page(output, path) for path in html_paths(output)}
    broken = []
    for path, page in pages.items():
        for link in page.links:
            target = local_target(path, link, root_path)
            if target is None:
                continue
            if target.startswith("../") or not (output / target).is_file():
                broken.append(f"{path}: {link} -> {target}")
    assert not broken, "\n".join(broken[:20])
    return pages


def sitemap_paths(output: Path, base: str = BASE) -> list[str]:
    """The site paths the sitemap (or the sitemaps of a sitemap index) lists."""
    root = ElementTree.parse(output / "sitemap.xml").getroot()
    if root.tag == SITEMAP_NS + "sitemapindex":
        locations = [loc.text or "" for loc in root.iter(SITEMAP_NS + "loc")]
        found: list[str] = []
        for location in locations:
            name = location.removeprefix(base)
            part = ElementTree.parse(output / name).getroot()
            found += [loc.text or "" for loc in part.iter(SITEMAP_NS + "loc")]
    else:
        found = [loc.text or "" for loc in root.iter(SITEMAP_NS + "loc")]
    paths = []
    for url in found:
        assert url.startswith(base), url
        path = url.removeprefix(base)
        paths.append(path + "index.html" if path.endswith("/") or not path else path)
    return paths


def feed_files(output: Path) -> list[tuple[str, Path]]:
    """Every feed of the site with its registry format name."""
    names = {"feed.xml": "rss", "atom.xml": "atom", "feed.json": "jsonfeed"}
    return sorted((names[p.name], p) for p in output.rglob("*") if p.name in names and p.is_file())


def manifest(output: Path) -> dict[str, str]:
    """The build manifest's files and fingerprints."""
    data = json.loads((output / ".coopcli-site.json").read_text(encoding="utf-8"))
    files: dict[str, str] = data["files"]
    return files


def mtimes(output: Path) -> dict[str, int]:
    """Every file's modification time in nanoseconds, by site path."""
    return {
        p.relative_to(output).as_posix(): p.stat().st_mtime_ns
        for p in output.rglob("*")
        if p.is_file()
    }


__all__ = ["BASE", "ROOT"]
