"""coopcli in a real pseudo-terminal: the prompts, the editor reopening, the pager."""

from __future__ import annotations

import json
import os
import shlex
import stat
import sys
from pathlib import Path

import pexpect
import pytest

from coopcli.storage.store import Store

pytestmark = pytest.mark.slow

ID = "2021-10-28-ilo-country-briefs"
FAKE_EDITOR = Path(__file__).with_name("fake_editor.py")


def spawn(*args: str, env: dict[str, str] | None = None) -> pexpect.spawn:
    """Start coopcli on a 24 x 120 terminal."""
    child = pexpect.spawn(
        sys.executable,
        ["-m", "coopcli", *args],
        env={**os.environ, **(env or {})},
        encoding="utf-8",
        timeout=30,
        dimensions=(24, 120),
    )
    return child


def finish(child: pexpect.spawn) -> tuple[str, int]:
    """Everything the terminal showed until coopcli exited, and its exit status."""
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus is not None
    return child.before or "", child.exitstatus


def test_add_prompts_for_each_field(news_file: Path) -> None:
    child = spawn("add", env={"COOPCLI_TODAY": "2021-11-02"})
    child.expect_exact("Type [news]: ")
    child.sendline("spotlite")
    child.expect_exact("did you mean 'spotlight'?")
    child.expect_exact("Type [news]: ")
    child.sendline("spotlight")
    child.expect_exact("Title: ")
    child.sendline("Sung Ho Kim, KFCC")
    child.expect_exact("Date [2021-11-02]: ")
    child.sendline("28 October 2021")
    child.expect_exact("Summary (optional): ")
    child.sendline("An interview.")
    child.expect_exact("URL (optional): ")
    child.sendline("")
    child.expect_exact("Tags, separated by commas (optional): ")
    child.sendline("korea, finance")
    child.expect_exact("Save this item? [Y/n]: ")
    child.sendline("")
    shown, status = finish(child)
    assert status == 0
    assert "2021-10-28-sung-ho-kim-kfcc" in shown
    assert [item.to_json() for item in Store(news_file).load().items] == [
        {
            "id": "2021-10-28-sung-ho-kim-kfcc",
            "type": "spotlight",
            "title": "Sung Ho Kim, KFCC",
            "date": "2021-10-28",
            "summary": "An interview.",
            "url": None,
            "tags": ["korea", "finance"],
        }
    ]


def test_ctrl_c_at_a_prompt_writes_nothing(seeded: Path) -> None:
    before = seeded.read_bytes()
    child = spawn("add")
    child.expect_exact("Type [news]: ")
    child.sendintr()
    _, status = finish(child)
    assert status != 0
    assert seeded.read_bytes() == before


def test_an_invalid_edit_reopens_the_editor(seeded: Path, isolated: Path) -> None:
    plan = isolated / "plan.json"
    plan.write_text(
        json.dumps(
            [
                {"sub": [["^url = .*$", 'url = "not a url"'], ["^title = .*$", 'title = "Kept"']]},
                {"sub": [["^url = .*$", 'url = "https://www.ilo.org/briefs"']]},
            ]
        )
    )
    editor = f"{shlex.quote(sys.executable)} {shlex.quote(str(FAKE_EDITOR))}"
    child = spawn("edit", ID, env={"EDITOR": editor, "FAKE_EDITOR_PLAN": str(plan)})
    child.expect_exact("url: must be an http:// or https:// URL")
    child.expect_exact("Edit it again? [Y/n]: ")
    child.sendline("y")
    shown, status = finish(child)
    assert status == 0, shown
    assert f"Changed {ID}: title, updated, url" in shown
    item = next(i for i in Store(seeded).load().items if i.id == ID)
    assert (item.title, item.url) == ("Kept", "https://www.ilo.org/briefs")


def test_a_long_list_goes_through_the_pager(seeded: Path, isolated: Path) -> None:
    out = isolated / "paged.txt"
    script = isolated / "pager.sh"
    script.write_text(f"#!/bin/sh\ncat > {shlex.quote(str(out))}\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    env = {"PAGER": str(script), "LINES": "24", "COLUMNS": "120"}
    shown, status = finish(spawn("list", env=env))
    assert status == 0
    assert "2021-10-29-ilo-sheds-light-upon" not in shown
    paged = out.read_text()
    assert "2021-10-29-ilo-sheds-light-upon" in paged
    assert "─" in paged  # the terminal's table, not the pipe's tab-separated lines
    out.unlink()
    shown, _ = finish(spawn("list", "-n", "2", env=env))
    assert "2021-10-29-ilo-sheds-light-upon" in shown
    assert not out.exists()
