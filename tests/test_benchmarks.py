"""The benchmark in benchmarks/: its generator, and a smoke run at a tiny size.

Timings are never asserted: the smoke run only checks that every operation is
measured (or reported as n/a) and that the generated data is what coopcli reads.
"""

from __future__ import annotations

import importlib.util
import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import ROOT, Run

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

BENCHMARKS = ROOT / "benchmarks"


def _load(name: str) -> ModuleType:
    # benchmarks/ is not a package (it is not shipped): load its modules by path.
    if str(BENCHMARKS) not in sys.path:
        sys.path.insert(0, str(BENCHMARKS))
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCHMARKS / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


generate = _load("generate")


def test_generator_is_deterministic(tmp_path: Path) -> None:
    first = generate.generate(120, tmp_path / "a")
    second = generate.generate(120, tmp_path / "b")
    assert first == second
    for name in ("news.toml", "news.json", "journal.txt", "meta.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


@settings(max_examples=10, deadline=None)
@given(count=st.integers(min_value=1, max_value=300))
def test_toml_json_and_buku_hold_the_same_items(count: int) -> None:
    items = generate.items(count)
    toml_doc = tomllib.loads(generate.to_toml(items))
    json_doc = json.loads(generate.to_json(items))
    assert len(toml_doc["items"]) == len(json_doc["items"]) == count
    for from_toml, from_json in zip(toml_doc["items"], json_doc["items"], strict=True):
        assert {**from_toml, "date": from_toml["date"].isoformat()} == from_json
    ids = [row["id"] for row in json_doc["items"]]
    assert len(set(ids)) == count
    # Oldest first, then by id: the order coopcli itself writes.
    assert [(r["date"], r["id"]) for r in json_doc["items"]] == sorted(
        (r["date"], r["id"]) for r in json_doc["items"]
    )
    # The benchmark's tag is on exactly 10% of the items (rounded down).
    assert sum(generate.TAG_10 in r.get("tags", []) for r in json_doc["items"]) == count // 10


def test_peer_data_matches(tmp_path: Path) -> None:
    meta = generate.generate(200, tmp_path)
    items = json.loads((tmp_path / "news.json").read_text(encoding="utf-8"))["items"]
    conn = sqlite3.connect(tmp_path / "bookmarks.db")
    rows = conn.execute(
        "SELECT id, URL, metadata, tags, desc FROM bookmarks ORDER BY id"
    ).fetchall()
    conn.close()
    assert len(rows) == 200
    assert [row[2] for row in rows] == [item["title"] for item in items]
    assert sum(f",{generate.TAG_10}," in row[3] for row in rows) == meta["tagged"] == 20
    assert rows[meta["show_index"] - 1][2] == next(
        item["title"] for item in items if item["id"] == meta["show_id"]
    )
    journal = (tmp_path / "journal.txt").read_text(encoding="utf-8")
    assert journal.count("\n[") + 1 == 200
    assert journal.count(f"@{generate.TAG_10}") == 20


def test_generated_file_is_read_by_coopcli(tmp_path: Path, run: Run) -> None:
    meta = generate.generate(150, tmp_path)
    for name in ("news.toml", "news.json"):
        path = str(tmp_path / name)
        tagged = run("--file", path, "list", "--tag", meta["tag"], "--format", "tsv")
        assert tagged.exit_code == 0, tagged.stderr
        assert len(tagged.stdout.splitlines()) == meta["tagged"] == 15
        shown = run("--file", path, "show", meta["show_id"])
        assert shown.exit_code == 0, shown.stderr
        assert meta["show_id"] in shown.stdout
        found = run("--file", path, "search", meta["word"], "--format", "tsv")
        assert len(found.stdout.splitlines()) == meta["matches"]


@pytest.mark.slow
def test_benchmark_smoke_run(tmp_path: Path) -> None:
    saved = tmp_path / "results.json"
    done = subprocess.run(
        [
            sys.executable,
            str(BENCHMARKS / "run.py"),
            "--sizes",
            "200",
            "--runs",
            "1",
            "--warmup",
            "0",
            "--no-peers",
            "--quiet",
            "--data",
            str(tmp_path / "data"),
            "--save",
            str(saved),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    run_module = _load("run")
    for label in run_module.OPERATIONS.values():
        assert label in done.stdout
    results = json.loads(saved.read_text(encoding="utf-8"))
    assert results["sizes"] == [200]
    assert results["data"]["200"]["tagged"] == 20
    for size, ops in results["cells"].items():
        for op, by_tool in ops.items():
            # Start-up does not read the file: measured once, not per format.
            tools = {"coopcli-toml"} if size == "start-up" else {"coopcli-toml", "coopcli-json"}
            assert set(by_tool) == tools
            for cell in by_tool.values():
                # A command coopcli lacks is n/a; anything else must have been measured.
                assert cell["status"] in ("ok", "n/a"), (size, op, cell)
                if cell["status"] == "ok":
                    assert cell["median_s"] > 0
                    assert cell["peak_mb"] > 1
                    # edit, remove, import and check only report, on stderr.
                    if op not in ("edit", "remove", "import", "check"):
                        assert cell["output_bytes"] > 0
    measured = {op for ops in results["cells"].values() for op in ops}
    assert measured == set(run_module.OPERATIONS)
    # The table of saved results prints without running anything.
    table = subprocess.run(
        [sys.executable, str(BENCHMARKS / "run.py"), "--table", str(saved), "--markdown"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert table.returncode == 0, table.stderr
    assert table.stdout.startswith("| items | operation |")
