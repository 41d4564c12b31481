"""Deterministic generator of realistic item files, and the same data for the peers.

    python benchmarks/generate.py 10000 --out benchmarks/data/10000

writes ``news.toml`` and ``news.json`` (coopcli's item file, oldest first, the shape of
``examples/news.toml``), ``bookmarks.db`` (buku's SQLite bookmarks: title, url,
description, tags) and ``journal.txt`` (a jrnl plain-text journal, one dated entry per
item), plus ``meta.json``: what the benchmark asks for (the tag on exactly 10% of the
items, a search word, an id to show).

The same size and seed always give byte-identical files. Only the standard library is
used, so the benchmark does not depend on the code it measures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from coopcli.core.ids import slugify

SEED = 20211029
#: The tag that exactly 10% of the items carry (``list --tag`` at 10%).
TAG_10 = "sse"
#: A word found in about 1% of the items (titles or summaries).
SEARCH_WORD = "lebanon"
#: A word that most items hold (search and export --query for it gather most of the list).
COMMON_WORD = "cooperatives"
FIRST_DAY = dt.date(2006, 1, 2)
LAST_DAY = dt.date(2025, 12, 19)

TYPES = ["news", "spotlight", "champion", "statement", "story"]
TYPE_WEIGHTS = [70, 10, 8, 7, 5]

ORGS = [
    "ILO", "The ILO", "The UNTFSSE", "The UN Task Force on Social and Solidarity Economy",
    "ICA", "COPAC", "UNRISD", "UNDESA", "UNDP", "UNCTAD", "ESCAP", "OECD", "CIRIEC",
    "EURICSE", "EMES", "GSEF", "RIPESS", "Social Economy Europe", "The ILO Cooperatives Unit",
    "WIPO", "ACTED", "KFCC", "The ILO Enterprises Department",
]  # fmt: skip
VERBS = [
    "sheds light upon", "participated in", "organized a session on", "shares lessons on",
    "launches a training on", "publishes country briefs on", "held a webinar on",
    "contributes to a dialogue on", "promotes", "reports on", "discusses",
    "brings together partners on", "presents new research on", "celebrates",
]  # fmt: skip
TOPICS = [
    "the role of cooperatives in the elimination of child labour",
    "social solidarity through joint income-generating activities",
    "statistics concerning the social and solidarity economy",
    "the cooperative model for indigenous women entrepreneurs",
    "decent work in the platform economy",
    "cooperatives and the just transition",
    "financial cooperatives and credit unions",
    "housing cooperatives",
    "worker ownership and business succession",
    "the social and solidarity economy as a driver of sustainable development",
    "agricultural cooperatives and food security",
    "care cooperatives",
    "youth employment in the social economy",
    "refugees and host communities",
    "fair trade and value chains",
    "the Fundamental Principles and Rights at Work",
    "energy cooperatives",
    "gender equality in cooperative enterprises",
]  # fmt: skip
PLACES = [
    "Lebanon", "Turkey", "Korea", "Japan", "India", "Indonesia", "the Philippines", "Viet Nam",
    "Kenya", "Tanzania", "Ethiopia", "Rwanda", "Uganda", "Ghana", "Senegal", "Morocco",
    "Egypt", "Jordan", "Brazil", "Argentina", "Colombia", "Peru", "Mexico", "Canada",
    "Italy", "Spain", "France", "Germany", "Belgium", "Finland", "Poland", "Portugal",
    "Asia", "Africa", "Latin America", "the Arab States", "Europe", "the Pacific",
    "Bangladesh", "Nepal", "Sri Lanka", "Myanmar", "Cambodia", "Mongolia", "Fiji",
    "South Africa", "Zambia", "Zimbabwe", "Mozambique", "Madagascar", "Cameroon",
    "Côte d'Ivoire", "Bolivia", "Chile", "Ecuador", "Paraguay", "Uruguay", "Costa Rica",
    "Guatemala", "Honduras", "Haiti", "Ukraine", "Georgia", "Armenia", "Kyrgyzstan",
    "Uzbekistan", "Pakistan", "Thailand", "Malaysia", "Timor-Leste", "Tunisia", "Sudan",
    "Iraq", "Yemen", "Oman", "Qatar", "Greece", "Ireland", "Sweden", "Norway", "Denmark",
    "Austria", "Switzerland", "the Netherlands", "Hungary", "Romania", "Bulgaria", "Serbia",
    "Albania", "Moldova", "Kazakhstan", "Tajikistan", "Laos", "Papua New Guinea", "Samoa",
    "Benin", "Togo", "Niger", "Mali", "Burkina Faso", "Chad",
]  # fmt: skip
FIRST_NAMES = [
    "Sung Ho", "Ayşe", "Vic", "Simel", "Waltteri", "Maria", "Jürgen", "Amina", "Hyungsik",
    "Carlos", "Nadia", "Roberto", "Guy", "Leila", "Akira", "Ana", "Chidi", "Marta", "Rahul",
]  # fmt: skip
LAST_NAMES = [
    "Kim", "Turunç Kankal", "Van Vuuren", "Esim", "Katajamäki", "Schwettmann", "Eum",
    "Fernández", "Okafor", "Haddad", "Tanaka", "Silva", "Kowalski", "Mehta", "Dubois",
]  # fmt: skip
ROLES = [
    "International Cooperation Department", "ILO Office for Turkey in Ankara",
    "Cooperatives Unit", "Decent Work Team for East and South-East Asia",
    "Regional Office for Africa", "Enterprises Department", "Country Office for Jordan",
]  # fmt: skip
SENTENCES = [
    "An initiative aimed at fostering social solidarity and promoting decent work launched "
    "its first training for vulnerable communities.",
    "COOP Champions features ILO colleagues from around the world working on cooperatives "
    "and other social and solidarity economy enterprises.",
    "It highlights their contributions, and shares highlights of their experiences, current "
    "work, and future aspirations.",
    "The meeting was virtually held and brought together almost 50 participants from seven "
    "UN member organizations and thirteen observer organizations.",
    "The leadership and staff of ILO contributed to a number of sessions.",
    "The session discussed opportunities and challenges around statistics concerning the SSE.",
    "The webinar was part of the Academy on Fundamental Principles and Rights at Work.",
    "Participants exchanged experiences from cooperatives, mutuals and associations.",
    "The briefs present findings from national consultations and policy reviews.",
    "The programme supports women entrepreneurs in building their own enterprises.",
    "Speakers called for an enabling legal and policy environment for the SSE.",
    "“Spotlight Interviews with Co-operators” is a series of interviews with cooperative "
    "leaders, members and practitioners.",
]  # fmt: skip
TAGS = [
    "asia", "africa", "europe", "americas", "arab-states", "finance", "housing", "agriculture",
    "statistics", "youth", "gender", "climate", "child-labour", "refugees", "training",
    "research", "policy", "platforms", "care", "energy", "fair-trade", "untfsse", "copac",
    "webinar", "covid-19", "indigenous", "credit-unions", "worker-coops", "legal", "events",
]  # fmt: skip


@dataclass
class Item:
    """One generated item: the fields of coopcli's item file."""

    id: str
    type: str
    title: str
    date: dt.date
    summary: str | None
    url: str | None
    tags: list[str] = field(default_factory=list)


def slug(title: str) -> str:
    """The first words of a title as an id part: coopcli's own rule."""
    return slugify(title)


def _title(rng: random.Random, kind: str, place: str) -> str:
    if kind in ("spotlight", "champion"):
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        return f"{name}, {rng.choice(ROLES)}, {rng.choice(ORGS).removeprefix('The ')}"
    if kind == "statement":
        return f"Statement by {rng.choice(ORGS).removeprefix('The ')} on {rng.choice(TOPICS)}"
    return f"{rng.choice(ORGS)} {rng.choice(VERBS)} {rng.choice(TOPICS)} in {place}"


def items(count: int, seed: int = SEED) -> list[Item]:
    """``count`` realistic items, oldest first then by id, always the same for a seed."""
    rng = random.Random(seed)
    span = (LAST_DAY - FIRST_DAY).days
    # The 10% tag goes on exactly count // 10 items, chosen at random.
    tagged = set(rng.sample(range(count), count // 10))
    drafts: list[Item] = []
    for n in range(count):
        kind = rng.choices(TYPES, TYPE_WEIGHTS)[0]
        # About 1% of the items mention the search word's country.
        place = "Lebanon" if rng.random() < 0.01 else rng.choice(PLACES[1:])
        title = _title(rng, kind, place)
        day = FIRST_DAY + dt.timedelta(days=rng.randrange(span + 1))
        summary: str | None = None
        if rng.random() < 0.85:
            summary = " ".join(rng.sample(SENTENCES, rng.randint(1, 3)))
        tags = rng.sample(TAGS, rng.choice((0, 1, 1, 2, 2, 3)))
        if n in tagged:
            tags.insert(rng.randrange(len(tags) + 1), TAG_10)
        drafts.append(Item("", kind, title, day, summary, None, tags))
    drafts.sort(key=lambda item: item.date)
    taken: set[str] = set()
    for item in drafts:
        base = f"{item.date.isoformat()}-{slug(item.title)}"
        new, suffix = base, 2
        while new in taken:
            new, suffix = f"{base}-{suffix}", suffix + 1
        taken.add(new)
        item.id = new
        if rng.random() < 0.6:
            item.url = f"https://www.ilo.org/global/topics/cooperatives/news/{new}"
    drafts.sort(key=lambda item: (item.date, item.id))
    return drafts


#: Bumped when the files' layout changes, so that saved data is generated again.
LAYOUT = 3


def _toml_string(text: str) -> str:
    # A JSON string is a valid TOML basic string (same escapes, \uXXXX for controls).
    return json.dumps(text, ensure_ascii=False)


def to_toml(data: list[Item]) -> str:
    """The items as coopcli's TOML item file."""
    out = ['version = 1\ntitle = "News, stories and statements on cooperatives"\n']
    for item in data:
        out.append("\n[[items]]\n")
        out.append(f"id = {_toml_string(item.id)}\n")
        out.append(f"type = {_toml_string(item.type)}\n")
        out.append(f"title = {_toml_string(item.title)}\n")
        out.append(f"date = {item.date.isoformat()}\n")
        if item.summary:
            out.append(f"summary = {_toml_string(item.summary)}\n")
        if item.url:
            out.append(f"url = {_toml_string(item.url)}\n")
        if item.tags:
            # One tag a line, as coopcli itself writes them (so that its writes can
            # splice the file instead of rewriting it).
            tags = "".join(f"    {_toml_string(tag)},\n" for tag in item.tags)
            out.append(f"tags = [\n{tags}]\n")
    return "".join(out)


def to_json(data: list[Item]) -> str:
    """The items as coopcli's JSON item file."""
    rows = []
    for item in data:
        row: dict[str, object] = {
            "id": item.id,
            "type": item.type,
            "title": item.title,
            "date": item.date.isoformat(),
        }
        if item.summary:
            row["summary"] = item.summary
        if item.url:
            row["url"] = item.url
        if item.tags:
            row["tags"] = item.tags
        rows.append(row)
    doc = {"version": 1, "title": "News, stories and statements on cooperatives", "items": rows}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def buku_url(item: Item) -> str:
    """buku needs a unique URL for every bookmark: the item's, else one made from its id."""
    return item.url or f"https://news.example.org/items/{item.id}"


def write_buku(data: list[Item], path: Path) -> None:
    """The items as buku 5's SQLite database (the schema buku itself creates)."""
    path.unlink(missing_ok=True)
    conn = sqlite3.connect(path)
    conn.execute(
        "CREATE TABLE bookmarks (id integer PRIMARY KEY, URL text NOT NULL UNIQUE, "
        "metadata text default '', tags text default ',', desc text default '', "
        "flags integer default 0)"
    )
    conn.executemany(
        "INSERT INTO bookmarks (URL, metadata, tags, desc) VALUES (?, ?, ?, ?)",
        (
            (buku_url(item), item.title, f",{','.join(item.tags)},", item.summary or "")
            for item in data
        ),
    )
    conn.commit()
    conn.close()


def _journal_entries(data: list[Item]) -> Iterator[str]:
    minute = 0
    previous: dt.date | None = None
    for item in data:
        minute = minute + 1 if item.date == previous else 0
        previous = item.date
        stamp = f"{item.date.isoformat()} {9 + minute // 60:02d}:{minute % 60:02d}"
        title = item.title.rstrip(".") + "."
        body = item.summary or ""
        tags = " ".join(f"@{tag}" for tag in item.tags)
        text = " ".join(part for part in (body, tags) if part)
        yield f"[{stamp}] {title}\n{text}\n\n" if text else f"[{stamp}] {title}\n\n"


def to_journal(data: list[Item]) -> str:
    """The items as a jrnl plain-text journal (``[YYYY-MM-DD HH:MM] Title. Body @tags``)."""
    return "".join(_journal_entries(data))


def generate(count: int, out: Path, seed: int = SEED) -> dict[str, object]:
    """Write every file for ``count`` items into ``out``; returns the meta data."""
    out.mkdir(parents=True, exist_ok=True)
    data = items(count, seed)
    (out / "news.toml").write_text(to_toml(data), encoding="utf-8")
    (out / "news.json").write_text(to_json(data), encoding="utf-8")
    write_buku(data, out / "bookmarks.db")
    (out / "journal.txt").write_text(to_journal(data), encoding="utf-8")
    middle = len(data) // 2
    meta: dict[str, object] = {
        "layout": LAYOUT,
        "items": count,
        "seed": seed,
        "tag": TAG_10,
        "tagged": sum(TAG_10 in item.tags for item in data),
        "word": SEARCH_WORD,
        "matches": sum(
            SEARCH_WORD in f"{item.title} {item.summary or ''}".lower() for item in data
        ),
        "common": COMMON_WORD,
        "common_matches": sum(
            COMMON_WORD in f"{item.title} {item.summary or ''} {' '.join(item.tags)}".lower()
            for item in data
        ),
        # The item shown by `show`: the middle one (buku's index is its 1-based row).
        "show_id": data[middle].id if data else "",
        "show_index": middle + 1,
        "show_date": data[middle].date.isoformat() if data else "",
        # `add` adds the next day's news, after every item, as a user does day to day.
        "add_date": ((data[-1].date if data else LAST_DAY) + dt.timedelta(days=1)).isoformat(),
    }
    for fmt in ("toml", "json"):
        pulled = out / f"news.pulled.{fmt}"
        pulled.write_bytes(pulled_version((out / f"news.{fmt}").read_bytes(), fmt))
    (out / "feed.json").write_text(feed(count, seed), encoding="utf-8")
    (out / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return meta


#: How many items another version of the file (a teammate's, pulled) changes.
PULLED_CHANGES = 5


def pulled_version(data: bytes, fmt: str) -> bytes:
    """The item file as a ``git pull`` might bring it: a few titles changed."""
    marker = b'\ntitle = "' if fmt == "toml" else b'\n      "title": "'
    for n in range(PULLED_CHANGES):
        at = data.find(marker, len(data) * (2 * n + 1) // (2 * PULLED_CHANGES))
        if at < 0:
            continue
        at += len(marker)
        data = data[:at] + b"Updated: " + data[at:]
    return data


FEED_ITEMS = 20


def feed(count: int, seed: int = SEED) -> str:
    """A JSON Feed of 20 new items to import (dated within the list's last year)."""
    rng = random.Random(seed + 1)
    entries = []
    for n in range(FEED_ITEMS):
        day = LAST_DAY - dt.timedelta(days=rng.randrange(365))
        entries.append(
            {
                "id": f"https://www.example.org/feed/{n}",
                "url": f"https://www.example.org/feed/{n}",
                "title": f"Feed story {n}: cooperatives and {rng.choice(TAGS)}",
                "content_text": "A story from a partner's feed.",
                "date_published": f"{day.isoformat()}T09:00:00Z",
            }
        )
    doc = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Partner news",
        "items": entries,
    }
    return json.dumps(doc, indent=2) + "\n"


def main(argv: list[str] | None = None) -> None:
    """Command line: ``generate.py N [--out DIR] [--seed S]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, help="number of items, e.g. 10000")
    parser.add_argument("--out", type=Path, help="directory (default: benchmarks/data/N)")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    if args.count < 1:
        parser.error("count must be at least 1")
    out = args.out or Path(__file__).resolve().parent / "data" / str(args.count)
    meta = generate(args.count, out, args.seed)
    print(f"{out}: {meta['items']} items, {meta['tagged']} tagged {meta['tag']!r}")


if __name__ == "__main__":
    main()
