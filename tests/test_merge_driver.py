"""``coopcli merge-file``: the driver as git calls it, on temporary files without suffix."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coopcli import formats
from coopcli.core.merge import merge_documents
from coopcli.core.models import NewsFile
from coopcli.git.driver import merge_files, sniff_format
from coopcli.storage.store import Store
from tests.conftest import Run

HEAD = 'version = 1\ntitle = "News"\n'


def toml_item(id_: str, title: str, summary: str | None = None) -> str:
    text = f'\n[[items]]\nid = "{id_}"\ntype = "news"\ntitle = "{title}"\ndate = 2021-10-28\n'
    return text + (f'summary = "{summary}"\n' if summary else "")


def write_three(tmp: Path, base: str, ours: str, theirs: str) -> tuple[str, str, str]:
    # git's names: .merge_file_XXXXXX, no suffix.
    paths = []
    for name, text in (("base", base), ("ours", ours), ("theirs", theirs)):
        path = tmp / f".merge_file_{name}"
        path.write_text(text, encoding="utf-8")
        paths.append(str(path))
    return paths[0], paths[1], paths[2]


def test_clean_merge_writes_the_canonical_file_to_ours(run: Run, tmp_path: Path) -> None:
    base = HEAD + toml_item("2021-10-28-a", "A")
    ours = base + toml_item("2021-10-28-b", "B")
    theirs = base + toml_item("2021-10-28-c", "C")
    b, o, t = write_three(tmp_path, base, ours, theirs)
    result = run("merge-file", b, o, t, "--path", "news.toml")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == (
        "coopcli merged news.toml item by item: 2 added, 0 changed, 0 removed\n"
    )
    assert Path(o).read_text() == HEAD + "".join(
        toml_item(f"2021-10-28-{x}", x.upper()) for x in "abc"
    )


def test_a_true_conflict_keeps_ours_and_writes_theirs_beside_the_file(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    base = HEAD + toml_item("2021-10-28-a", "A")
    ours = HEAD + toml_item("2021-10-28-a", "Ours")
    theirs = HEAD + toml_item("2021-10-28-a", "Theirs", summary="from theirs")
    b, o, t = write_three(tmp_path, base, ours, theirs)
    (tmp_path / "data").mkdir()
    result = run("merge-file", b, o, t, "--path", "data/news.toml")
    assert result.exit_code == 1
    assert Path(o).read_text() == HEAD + toml_item("2021-10-28-a", "Ours", "from theirs")
    conflict = tmp_path / "data" / "news.toml.conflict"
    assert conflict.read_text() == "version = 1\n" + toml_item(
        "2021-10-28-a", "Theirs", "from theirs"
    )
    assert result.stderr.splitlines() == [
        "coopcli merged data/news.toml item by item: 0 added, 1 changed, 0 removed, 1 conflict",
        "CONFLICT in data/news.toml: item 2021-10-28-a: changed on both sides",
        "  title:",
        "    ours:   'Ours'",
        "    theirs: 'Theirs'",
        "    base:   'A'",
        "  kept ours; theirs is in data/news.toml.conflict",
        "Fix data/news.toml (it loads as it is), run `coopcli check data/news.toml`, "
        "then `git add data/news.toml`",
    ]


def test_edit_against_removal_is_reported_with_the_way_out(run: Run, tmp_path: Path) -> None:
    base = HEAD + toml_item("2021-10-28-a", "A")
    ours = HEAD
    theirs = HEAD + toml_item("2021-10-28-a", "A", summary="edited")
    b, o, t = write_three(tmp_path, base, ours, theirs)
    result = run("merge-file", b, o, t, "--path", "news.toml")
    assert result.exit_code == 1
    assert Path(o).read_text() == theirs
    assert "removed in ours; the edited version (theirs) is kept" in result.stderr
    assert "coopcli --file news.toml remove 2021-10-28-a --yes" in result.stderr
    assert not (tmp_path / "news.toml.conflict").exists()


def json_doc(*items: tuple[str, str]) -> str:
    data = {
        "version": 1,
        "items": [
            {"id": id_, "type": "news", "title": title, "date": "2021-10-28"}
            for id_, title in items
        ],
    }
    return json.dumps(data, indent=2) + "\n"


@pytest.mark.parametrize("path", [["--path", "site/news.json"], []])
def test_json_by_path_or_by_content(run: Run, tmp_path: Path, path: list[str]) -> None:
    base = json_doc(("a", "A"))
    b, o, t = write_three(
        tmp_path, base, json_doc(("a", "A"), ("b", "B")), json_doc(("a", "A"), ("c", "C"))
    )
    result = run("merge-file", b, o, t, *path)
    assert result.exit_code == 0, result.stderr
    assert Path(o).read_text() == json_doc(("a", "A"), ("b", "B"), ("c", "C"))


def test_a_file_added_on_both_branches_has_an_empty_base(run: Run, tmp_path: Path) -> None:
    ours = HEAD + toml_item("2021-10-28-b", "B")
    theirs = HEAD + toml_item("2021-10-28-c", "C")
    b, o, t = write_three(tmp_path, "", ours, theirs)
    result = run("merge-file", b, o, t)
    assert result.exit_code == 0
    assert Path(o).read_text() == ours + toml_item("2021-10-28-c", "C")


def test_an_invalid_version_falls_back_to_a_line_merge(run: Run, tmp_path: Path) -> None:
    base = HEAD + toml_item("2021-10-28-a", "A")
    ours = HEAD + toml_item("2021-10-28-a", "Ours")
    theirs = HEAD + toml_item("2021-10-28-a", "Theirs").replace('"news"', '"blog"')
    b, o, t = write_three(tmp_path, base, ours, theirs)
    result = run("merge-file", b, o, t, "--path", "news.toml")
    assert result.exit_code == 1
    text = Path(o).read_text()
    assert "<<<<<<< ours" in text
    assert ">>>>>>> theirs" in text
    assert result.stderr.splitlines() == [
        "coopcli cannot merge news.toml item by item: the theirs version: news.toml:4: "
        "items[0].type: unknown type 'blog' (valid: news, spotlight, champion, statement, "
        "story)",
        "  merged it line by line instead (with conflict markers); fix it, then run "
        "`coopcli check news.toml`",
    ]


def test_a_missing_input_is_a_usage_error(run: Run, tmp_path: Path) -> None:
    result = run("merge-file", "nope", "nope", "nope")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: nope: cannot read: ")


@pytest.mark.parametrize(
    ("path", "contents", "expected"),
    [
        ("news.json", [b""], "json"),
        ("news.txt", [b"", b'\xef\xbb\xbf  {"version": 1}'], "json"),
        (None, [b"\n\nversion = 1"], "toml"),
        (None, [b"", b""], "toml"),
    ],
)
def test_the_format_comes_from_the_path_else_the_contents(
    path: str | None, contents: list[bytes], expected: str
) -> None:
    assert sniff_format(path, contents) == expected


def test_feed_and_type_conflicts_are_reported_and_used_types_kept(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    types = '[types]\nreport = "Report"\n'
    report = toml_item("2021-10-28-r", "R").replace('"news"', '"report"')
    base = HEAD + types
    ours = HEAD.replace('"News"', '"Our news"')
    theirs = HEAD.replace('"News"', '"Their news"') + types + report
    b, o, t = write_three(tmp_path, base, ours, theirs)
    result = run("merge-file", b, o, t, "--path", "news.toml")
    assert result.exit_code == 1
    assert Path(o).read_text() == HEAD.replace('"News"', '"Our news"') + "\n" + types + report
    assert (tmp_path / "news.toml.conflict").read_text() == 'version = 1\ntitle = "Their news"\n'
    assert result.stderr.splitlines()[1:] == [
        "  type 'report' kept: one side removed it, but items still use it",
        "CONFLICT in news.toml: feed title: changed on both sides",
        "  ours:   'Our news'",
        "  theirs: 'Their news'",
        "  kept ours; theirs is in news.toml.conflict",
        "Fix news.toml (it loads as it is), run `coopcli check news.toml`, then "
        "`git add news.toml`",
    ]


def test_a_conflict_report_shows_absent_fields_and_tag_lists(run: Run, tmp_path: Path) -> None:
    base = HEAD + toml_item("2021-10-28-a", "A", summary="base")
    ours = HEAD + toml_item("2021-10-28-a", "A")
    theirs = HEAD + toml_item("2021-10-28-a", "A", summary="theirs") + 'tags = ["x", "y"]\n'
    b, o, t = write_three(tmp_path, base, ours, theirs)
    result = run("merge-file", b, o, t)
    assert result.exit_code == 1
    assert "    ours:   (absent)\n    theirs: 'theirs'\n    base:   'base'\n" in result.stderr
    # Without --path, the conflict file goes beside OURS.
    assert Path(o + ".conflict").exists()
    assert 'tags = [\n    "x",\n    "y",\n]' in Path(o).read_text()


@st.composite
def documents(draw: st.DrawFn) -> tuple[dict[str, Any], ...]:
    pool = [
        {
            "id": f"2021-10-0{n}-item",
            "type": kind,
            "title": f"Item {n}",
            "date": dt.date(2021, 10, n),
        }
        for n in range(1, 8)
        for kind in ("news",)
    ]
    base = draw(st.lists(st.sampled_from(pool), unique_by=lambda e: e["id"], max_size=5))

    def side() -> list[dict[str, Any]]:
        kept = [
            {**e, "summary": draw(st.sampled_from(["s", "t"]))} if draw(st.booleans()) else e
            for e in base
            if draw(st.booleans())
        ]
        added = draw(st.lists(st.sampled_from(pool), unique_by=lambda e: e["id"], max_size=3))
        have = {e["id"] for e in kept} | {e["id"] for e in base}
        return kept + [e for e in added if e["id"] not in have]

    return (
        {"version": 1, "items": base},
        {"version": 1, "items": side()},
        {
            "version": 1,
            "items": side(),
        },
    )


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(docs=documents(), fmt=st.sampled_from(["toml", "json"]))
def test_the_driver_writes_exactly_the_merge_in_either_format(
    tmp_path: Path, docs: tuple[dict[str, Any], ...], fmt: str
) -> None:
    codec = formats.codec(fmt)
    texts = [codec.dump(NewsFile.model_validate(d).to_data()) for d in docs]
    b, o, t = write_three(tmp_path, *texts)
    outcome = merge_files(
        Path(b), Path(o), Path(t), str(tmp_path / f"news.{fmt}") if fmt == "json" else None
    )
    expected = merge_documents(*(NewsFile.model_validate(d).to_data() for d in docs))
    written = Store(Path(f"x.{fmt}")).parse(Path(o).read_bytes())
    assert written.to_data() == NewsFile.model_validate(expected.document).to_data()
    assert outcome.exit_code == (0 if expected.clean else 1)


def test_a_json_conflict_file_is_json(run: Run, tmp_path: Path) -> None:
    b, o, t = write_three(
        tmp_path, json_doc(("a", "A")), json_doc(("a", "Ours")), json_doc(("a", "Theirs"))
    )
    result = run("merge-file", b, o, t)
    assert result.exit_code == 1
    assert Path(o).read_text() == json_doc(("a", "Ours"))
    assert Path(o + ".conflict").read_text() == json_doc(("a", "Theirs"))
