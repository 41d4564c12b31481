"""Every feed file of feedparser's own test suite through ``coopcli import``.

Each file imports as many entries as feedparser finds in it (at least one), or fails
with a one-line error; none ends in a traceback or a hang. The outcomes are recorded
in ``tests/data/feed-corpus-counts.json`` (see ``tests/feed_corpus.py``), so that a
change in what coopcli (or feedparser) reads shows as numbers in a diff.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import feed_corpus
from tests.feed_corpus import Outcome


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Outcome]]:
    """Every corpus file imported once, with --dry-run, into an empty list."""
    folder = tmp_path_factory.mktemp("corpus")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COOPCLI_FILE", str(folder / "news.toml"))
        patch.setenv("HOME", str(folder))
        patch.setenv("XDG_CONFIG_HOME", str(folder / ".config"))
        patch.setenv("NO_COLOR", "1")
        patch.setenv("COOPCLI_TODAY", "2026-01-15")
        yield feed_corpus.run_all()


def test_the_corpus_is_all_there() -> None:
    files = feed_corpus.files()
    assert len(files) == 2107
    folders = {path.relative_to(feed_corpus.CORPUS).parts[0] for path in files}
    assert folders == {"encoding", "entities", "illformed", "json", "wellformed"}
    notice = (feed_corpus.CORPUS / "LICENSE").read_text(encoding="utf-8")
    assert "Redistribution and use in source and binary forms" in notice


def test_each_file_imports_what_feedparser_finds_or_fails_in_one_line(
    outcomes: dict[str, Outcome],
) -> None:
    problems = {
        name: problem
        for name, outcome in outcomes.items()
        if (problem := outcome.problem()) is not None
    }
    assert problems == {}


def test_outcomes_are_as_recorded(outcomes: dict[str, Outcome]) -> None:
    now = {name: outcome.record() for name, outcome in outcomes.items()}
    was = feed_corpus.recorded()
    changed = {name: (was.get(name), now.get(name)) for name in was.keys() | now.keys()}
    changed = {name: pair for name, pair in changed.items() if pair[0] != pair[1]}
    # (recorded, now) for each file whose outcome changed: re-record a deliberate
    # change with `python -m tests.feed_corpus --write`.
    assert changed == {}


def test_figures(outcomes: dict[str, Outcome]) -> None:
    assert feed_corpus.figures(outcomes) == {
        "files": 2107,
        "feedparser finds entries": 1195,
        "import at least one entry": 494,
        "as many as feedparser": 494,
        "one-line errors": 1613,
        "tracebacks": 0,
    }


@pytest.mark.parametrize(
    "name",
    [
        # A comment naming a tag before the root, then Atom 0.3, RSS 1.0 (RDF), CDF.
        "wellformed/atom/entry_title.xml",
        "wellformed/rdf/rdf_item_title.xml",
        "wellformed/cdf/item_title.xml",
        # An encoding pyexpat cannot read (a traceback once), and a mis-declared one.
        "encoding/big5.xml",
        "encoding/bozo_encoding_mismatch_crash.xml",
    ],
)
def test_sample_files_through_a_real_process(name: str, isolated: Path) -> None:
    """The in-process run and a real ``python -m coopcli`` agree."""
    outcome = feed_corpus.run_one_process(feed_corpus.CORPUS / name)
    assert outcome.record()[1:] == feed_corpus.recorded()[name][1:]
    assert outcome.problem() is None
