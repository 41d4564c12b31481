"""The library: ``coopcli.NewsList`` called directly, as a script or another front end would.

The CLI tests prove the same behaviour through the command line; these prove that the
rules live in the library (nothing here imports Typer or Rich), and that a prompt never
holds the file's lock.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import coopcli
from coopcli import DataError, FilterArgs, NewsList, NotFoundError, SortKey, UsageError
from tests.conftest import EXAMPLES

ID = "2021-10-28-ilo-country-briefs"
TITLE = "ILO country briefs from the Social and Solidarity Economy project in Asia"


@pytest.fixture
def news(seeded: Path) -> NewsList:
    return NewsList.open(seeded)


def test_the_package_exports_the_library_lazily() -> None:
    code = (
        "import sys, coopcli; before = 'coopcli.newslist' in sys.modules; "
        "coopcli.NewsList; print(before, 'coopcli.newslist' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["False", "True"]
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        _ = coopcli.Nope  # type: ignore[attr-defined]


def test_items_filter_sort_and_limit(news: NewsList) -> None:
    newest = news.items(limit=3)
    assert [item.date for item in newest] == sorted((i.date for i in newest), reverse=True)
    assert len(newest) == 3
    spotlights = news.items(FilterArgs(type=("spotlight",)))
    assert spotlights
    assert {item.type for item in spotlights} == {"spotlight"}
    by_title = news.items(sort=SortKey.TITLE)
    assert [i.title.casefold() for i in by_title] == sorted(i.title.casefold() for i in by_title)
    selection = news.select(FilterArgs(since="2021-10"))
    assert selection.caption().startswith(f"{len(selection.items)} of 10 items")


def test_search_returns_hits_that_carry_their_item(news: NewsList) -> None:
    found = news.search("ilo country briefs")
    assert found.hits[0].item.id == ID
    assert found.hits[0].score > 0
    assert news.search("nothing-like-this").hits == []


def test_get_by_id_or_prefix(news: NewsList) -> None:
    assert news.get(ID).title.startswith("ILO country briefs")
    assert news.get("2021-10-28-ilo").id == ID
    with pytest.raises(NotFoundError):
        news.get("1999")


def test_add_edit_remove_round_trip(news_file: Path) -> None:
    news = NewsList.open(news_file)
    assert not news.exists()
    item = news.add(type="News", title=" Cooperative law ", date="28 October 2021", tags=["asia"])
    assert (item.id, item.type, item.title, item.date) == (
        "2021-10-28-cooperative-law",
        "news",
        "Cooperative law",
        dt.date(2021, 10, 28),
    )
    assert news_file.exists()
    edited = news.edit(item.id, summary="Now with a summary.", add_tags=["ilo"])
    # A published item's summary changed: a correction, so its time is recorded.
    assert edited.changed == ["summary", "tags", "updated"]
    assert news.get(item.id).tags == ("asia", "ilo")
    assert news.edit(item.id, summary="Now with a summary.").changed == []
    removed = news.remove([item.id])
    assert [i.id for i in removed] == [item.id]
    assert news.items() == []


def test_add_refuses_a_duplicate_unless_forced(news: NewsList) -> None:
    with pytest.raises(DataError, match=f"already exists: {ID}"):
        news.add(type="news", title=TITLE.upper(), date="2021-10-28")
    again = news.add(type="news", title=TITLE.upper(), date="2021-10-28", force=True)
    assert again.id != ID


def test_bad_values_are_usage_errors_and_change_nothing(news: NewsList) -> None:
    before = news.path.read_bytes()
    with pytest.raises(UsageError, match="unknown type"):
        news.add(type="nonsense", title="T", date="2021-10-01")
    with pytest.raises(UsageError):
        news.add(type="news", title="T", date="2021-10-01", url="ftp://example.org")
    with pytest.raises(UsageError):
        news.edit(ID, url="not a url")
    assert news.path.read_bytes() == before


def test_edit_with_expect_refuses_an_item_changed_since(news: NewsList) -> None:
    shown = news.get(ID)
    news.edit(ID, title="Changed by a teammate")
    before = news.path.read_bytes()
    with pytest.raises(DataError, match="changed elsewhere while you were editing it"):
        news.edit(ID, expect=shown, summary="Mine")
    assert news.path.read_bytes() == before


def test_remove_with_expect_refuses_items_changed_or_gone_since(news: NewsList) -> None:
    shown = news.find([ID])
    news.edit(ID, summary="Changed meanwhile")
    with pytest.raises(DataError, match="changed elsewhere before you confirmed"):
        news.remove([ID], expect=shown)
    shown = news.find([ID])
    news.remove([ID])
    with pytest.raises(DataError, match="removed before you confirmed"):
        news.remove([ID], expect=shown)


def test_export_import_stats_and_check(news: NewsList, tmp_path: Path) -> None:
    exported = news.export("rss", title="Cooperative news", link="https://example.org/news")
    assert exported.count == 10
    assert "<title>Cooperative news</title>" in exported.text
    from coopcli import importer

    other = NewsList.open(tmp_path / "other.json")
    source = importer.read_input(str(news.path))
    report = other.import_([(source.source, importer.read(source)[1])])
    assert len(report.added) == 10
    assert {i.id for i in other.items()} == {i.id for i in news.items()}
    counted = news.stats(FilterArgs(type=("news",)))
    assert counted.total == 10
    assert counted.stats.total == len(news.items(FilterArgs(type=("news",))))
    assert news.check().problems == []


def test_restore_backup_undoes_the_last_change(news: NewsList) -> None:
    original = news.path.read_bytes()
    news.remove([ID])
    plan = news.backup_plan()
    assert not plan.identical
    news.restore_backup(expect=plan)
    assert news.path.read_bytes() == original
    stale = news.backup_plan()
    news.add(type="news", title="Meanwhile", date="2021-11-01")
    with pytest.raises(DataError, match="changed since you looked"):
        news.restore_backup(expect=stale)


def test_transaction_writes_nothing_when_the_body_fails(news: NewsList) -> None:
    before = news.path.read_bytes()

    def clear_then_fail() -> None:
        with news.transaction() as doc:
            doc.items.clear()
            raise RuntimeError("stop")

    with pytest.raises(RuntimeError):
        clear_then_fail()
    assert news.path.read_bytes() == before


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    titles=st.lists(
        st.text(
            st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=40
        ).filter(str.strip),
        min_size=1,
        max_size=5,
    ),
    suffix=st.sampled_from([".toml", ".json"]),
)
def test_what_is_added_reads_back_the_same(
    titles: list[str], suffix: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    news = NewsList.open(tmp_path_factory.mktemp("lib") / f"news{suffix}")
    added = [
        news.add(type="news", title=title, date=dt.date(2021, 10, 1 + n), force=True)
        for n, title in enumerate(titles)
    ]
    again = NewsList.open(news.path)
    for item in added:
        assert again.get(item.id).title == item.title


# The file is never locked while a person answers a prompt -------------------------


def _spawn(*args: str, env: dict[str, str]) -> pexpect.spawn:
    return pexpect.spawn(
        sys.executable,
        ["-m", "coopcli", *args],
        env=env,
        encoding="utf-8",
        timeout=60,
        dimensions=(24, 250),
    )


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "coopcli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.slow
@pytest.mark.parametrize("command", ["remove", "restore-backup"])
def test_a_teammate_can_write_while_a_confirmation_waits(command: str, seeded: Path) -> None:
    env = {**os.environ, "COOPCLI_FILE": str(seeded), "COOPCLI_LOCK_TIMEOUT": "1"}
    if command == "restore-backup":
        assert _cli("remove", ID, "--yes", env=env).returncode == 0
        child = _spawn("restore-backup", env=env)
        child.expect_exact("from its backup?")
    else:
        child = _spawn("remove", ID, env=env)
        child.expect_exact("Remove 1 item?")
    added = _cli("add", "--type", "news", "--title", "Added meanwhile", env=env)
    assert added.returncode == 0, added.stderr
    assert b"Added meanwhile" in seeded.read_bytes()
    child.sendline("y")
    child.expect(pexpect.EOF)
    child.close()
    # The teammate's change came after what was shown: nothing is lost either way.
    if command == "remove":
        assert child.exitstatus == 0
        assert ID.encode() not in seeded.read_bytes()
    else:
        assert child.exitstatus == 1
        shown = " ".join((child.before or "").split())
        assert "changed since you looked; nothing was restored" in shown
    assert b"Added meanwhile" in seeded.read_bytes()


@pytest.mark.slow
def test_a_removal_confirmed_after_a_teammate_edited_the_item_removes_nothing(
    seeded: Path,
) -> None:
    env = {**os.environ, "COOPCLI_FILE": str(seeded)}
    child = _spawn("remove", ID, env=env)
    child.expect_exact("Remove 1 item?")
    assert _cli("edit", ID, "--summary", "Corrected", env=env).returncode == 0
    child.sendline("y")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1
    shown = " ".join((child.before or "").split())
    assert f"{ID} was changed elsewhere before you confirmed" in shown
    assert ID.encode() in seeded.read_bytes()


def test_the_library_works_without_the_command_line(tmp_path: Path) -> None:
    """Typer and Rich are the CLI's: a script using the library never loads them."""
    shutil.copy(EXAMPLES / "news.toml", tmp_path / "news.toml")
    code = (
        "import sys; from coopcli import NewsList; "
        f"n = NewsList.open({str(tmp_path / 'news.toml')!r}); "
        "n.add(type='news', title='From a script', date='2021-11-01'); "
        "n.search('script'); n.export('markdown'); n.stats(); n.check(); "
        "print(sorted(m for m in ('typer', 'rich', 'click') if m in sys.modules))"
    )
    env = {**os.environ, "COOPCLI_NO_INDEX": "", "XDG_CACHE_HOME": str(tmp_path / "cache")}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    ).stdout
    assert out.strip() == "[]"
