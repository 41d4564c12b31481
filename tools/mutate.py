"""Mutation testing for coopcli: would a test notice if this line did the wrong thing?

Usage (from the repository root, on demand; CI does not run it)::

    .venv/bin/python tools/mutate.py src/coopcli/core/search.py --sample 80
    .venv/bin/python tools/mutate.py src/coopcli/storage/atomic.py --safety

For each module it makes small changes to the code, one at a time (a mutant): a
comparison flipped, a condition negated, ``and`` for ``or``, a number or string
changed, a call or ``raise`` dropped, a value returned as None. Each mutant is run
against the tests that execute its line, in a copy of the tree (the real source is
never touched), with a time limit. A mutant that makes a test fail is killed; one
that passes every test survived, and shows a behaviour no test pins down.

Which test executes which line comes from a coverage run with a context per test
(``--cov-context=test``), cached in ``.mutate-cache/``: after a change, only the test
files that changed run again (all of them when ``src`` or the test helpers changed).
Coverage cannot tell which test started a ``python -m coopcli`` process, so
``--safety`` adds the safety tests that start coopcli processes (kill -9, parallel
writers) to every mutant's tests; use it for the write path.

Mutants listed in ``tools/mutants-equivalent.toml`` (module, line, mutation, reason)
behave exactly like the original; they are shown apart and left out of the score.
Score = (killed + timed out) / (mutants - equivalent).

We use this rather than mutmut: mutmut 3 loads the mutated code only into the
pytest process and learns which tests reach a function inside that process, so
the many tests that run coopcli in real subprocesses would neither see a mutant
nor be chosen to run against it.
"""

from __future__ import annotations

import argparse
import ast
import concurrent.futures
import contextlib
import copy
import dataclasses
import functools
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".mutate-cache"
EQUIVALENT = ROOT / "tools" / "mutants-equivalent.toml"
#: What the copy of the tree needs for the tests to run.
TREE = ("src", "tests", "examples", "benchmarks", "docs", "pyproject.toml", "README.md")
#: The safety tests that run coopcli in real processes (kill -9, parallel writers).
SAFETY_TESTS = ("tests/test_safety_crash.py", "tests/test_safety_concurrency.py")
PYTEST = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--no-cov"]


@dataclasses.dataclass(frozen=True)
class Mutant:
    module: str  # path relative to the repository root
    line: int
    mutation: str  # "`before` -> `after`", stable across runs
    source: str  # the whole mutated module

    @property
    def key(self) -> tuple[str, int, str]:
        return (self.module, self.line, self.mutation)


@dataclasses.dataclass
class Outcome:
    mutant: Mutant
    status: str  # killed, survived, timeout, untested, equivalent
    tests: int = 0
    seconds: float = 0.0


# --- Making mutants -----------------------------------------------------------------


def _short(node: ast.AST) -> str:
    text = " ".join(ast.unparse(node).split())
    return text if len(text) <= 70 else text[:67] + "..."


_COMPARE_SWAP: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}
_BINOP_SWAP: dict[type[ast.operator], type[ast.operator]] = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
    ast.FloorDiv: ast.Mult,
    ast.Mod: ast.FloorDiv,
    ast.BitOr: ast.BitAnd,
    ast.BitAnd: ast.BitOr,
    ast.LShift: ast.RShift,
    ast.RShift: ast.LShift,
}


def _constant_variants(value: object) -> list[object]:
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, int):
        return [value + 1] if value != 1 else [0, 2]
    if isinstance(value, float):
        return [value + 1.0, value / 2 if value else 1.0]
    if isinstance(value, str):
        return ["XX" + value + "XX"] if value else ["XX"]
    if isinstance(value, bytes):
        return [b"XX" + value + b"XX"]
    return []


def _constant(value: Any, node: ast.AST) -> ast.AST:
    return ast.Constant(value=value)


class _Sites(ast.NodeVisitor):
    """Finds every place a mutation applies, as (node, replacement node or None)."""

    def __init__(self) -> None:
        self.sites: list[tuple[ast.AST, Callable[[ast.AST], ast.AST | None]]] = []
        self._skip: set[int] = set()

    def _add(self, node: ast.AST, make: Callable[[ast.AST], ast.AST | None]) -> None:
        if id(node) not in self._skip:
            self.sites.append((node, make))

    def _skip_tree(self, node: ast.AST | None) -> None:
        if node is not None:
            self._skip.update(id(child) for child in ast.walk(node))

    # Places that are not behaviour: docstrings, annotations, f-string internals.
    def _skip_docstring(self, body: list[ast.stmt]) -> None:
        first = body[0] if body else None
        value = first.value if isinstance(first, ast.Expr) else None
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            self._skip_tree(first)

    def visit_Module(self, node: ast.Module) -> None:
        self._skip_docstring(node.body)
        self.generic_visit(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._skip_docstring(node.body)
        self.generic_visit(node)

    def _visit_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self._skip_docstring(node.body)
        self._skip_tree(node.returns)
        for arg in [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]:
            self._skip_tree(arg.annotation)
        for star in (node.args.vararg, node.args.kwarg):
            if star is not None:
                self._skip_tree(star.annotation)
        self.generic_visit(node)

    visit_FunctionDef = _visit_function
    visit_AsyncFunctionDef = _visit_function

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._skip_tree(node.annotation)
        self.generic_visit(node)

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        self._skip_tree(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        self._skip_tree(node)

    def visit_Import(self, node: ast.Import) -> None:
        self._skip_tree(node)

    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Name) and node.func.id == "TypeVar":
            self._skip_tree(node)  # a name for the type checker
            return
        self.generic_visit(node)

    def visit_Compare(self, node: ast.Compare) -> None:
        for index, op in enumerate(node.ops):
            if type(op) in _COMPARE_SWAP:

                def make(n: ast.AST, index: int = index) -> ast.AST:
                    assert isinstance(n, ast.Compare)
                    n.ops[index] = _COMPARE_SWAP[type(n.ops[index])]()
                    return n

                self._add(node, make)
        self.generic_visit(node)

    def visit_BoolOp(self, node: ast.BoolOp) -> None:
        def make(n: ast.AST) -> ast.AST:
            assert isinstance(n, ast.BoolOp)
            n.op = ast.Or() if isinstance(n.op, ast.And) else ast.And()
            return n

        self._add(node, make)
        self.generic_visit(node)

    def visit_BinOp(self, node: ast.BinOp) -> None:
        if type(node.op) in _BINOP_SWAP:

            def make(n: ast.AST) -> ast.AST:
                assert isinstance(n, ast.BinOp)
                n.op = _BINOP_SWAP[type(n.op)]()
                return n

            self._add(node, make)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        if type(node.op) in _BINOP_SWAP:

            def make(n: ast.AST) -> ast.AST:
                assert isinstance(n, ast.AugAssign)
                n.op = _BINOP_SWAP[type(n.op)]()
                return n

            self._add(node, make)
        self.generic_visit(node)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> None:
        if isinstance(node.op, ast.Not):
            self._add(node, lambda n: n.operand if isinstance(n, ast.UnaryOp) else n)
        self.generic_visit(node)

    def _negate_test(self, node: ast.If | ast.While | ast.IfExp) -> None:
        test = node.test
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            return  # removing the `not` already covers it
        self._add(test, lambda n: ast.UnaryOp(op=ast.Not(), operand=n))  # type: ignore[arg-type]

    def visit_If(self, node: ast.If) -> None:
        if isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            self._skip_tree(node)  # imports for the type checker only
            return
        self._negate_test(node)
        self.generic_visit(node)

    def visit_While(self, node: ast.While) -> None:
        self._negate_test(node)
        self.generic_visit(node)

    def visit_IfExp(self, node: ast.IfExp) -> None:
        self._negate_test(node)
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if node.value is None or node.value is Ellipsis:
            return
        for variant in _constant_variants(node.value):
            self._add(node, functools.partial(_constant, variant))

    def visit_Return(self, node: ast.Return) -> None:
        value = node.value
        if value is not None and not (isinstance(value, ast.Constant) and value.value is None):
            self._add(node, lambda n: ast.Return(value=None))
        self.generic_visit(node)

    def _drop(self, node: ast.stmt) -> None:
        self._add(node, lambda n: ast.Pass())

    def visit_Expr(self, node: ast.Expr) -> None:
        if isinstance(node.value, ast.Call | ast.Await):
            self._drop(node)
        self.generic_visit(node)

    def visit_Raise(self, node: ast.Raise) -> None:
        self._drop(node)
        self.generic_visit(node)

    def visit_Break(self, node: ast.Break) -> None:
        self._add(node, lambda n: ast.Continue())

    def visit_Continue(self, node: ast.Continue) -> None:
        self._add(node, lambda n: ast.Break())


def _offsets(source: str) -> list[int]:
    """The offset in ``source`` of the start of each line (1-based line numbers)."""
    starts = [0, 0]
    for line in source.splitlines(keepends=True):
        starts.append(starts[-1] + len(line.encode()))
    return starts


def mutants_of(module: Path) -> list[Mutant]:
    """Every mutant of ``module``, in source order; each is a whole compilable module."""
    text = module.read_text(encoding="utf-8")
    data = text.encode()
    starts = _offsets(text)
    tree = ast.parse(text)
    finder = _Sites()
    finder.visit(tree)
    skip_lines = {
        number for number, line in enumerate(text.splitlines(), 1) if "pragma: no mutate" in line
    }
    relative = module.resolve().relative_to(ROOT).as_posix()
    found: list[Mutant] = []
    seen: set[tuple[int, str]] = set()
    for node, make in finder.sites:
        line = node.lineno  # type: ignore[attr-defined]
        if line in skip_lines:
            continue
        before = _short(node)
        replacement = make(copy.deepcopy(node))
        if replacement is None:
            continue
        is_statement = isinstance(node, ast.stmt)
        if isinstance(replacement, ast.Return) and replacement.value is None:
            after = "return None"
        else:
            after = _short(replacement)
        if after == before:
            continue
        mutation = (
            f"`{before}` -> `{after}`"
            if not isinstance(replacement, ast.Pass)
            else (f"drop `{before}`")
        )
        if (line, mutation) in seen:
            continue
        seen.add((line, mutation))
        start = starts[line] + node.col_offset  # type: ignore[attr-defined]
        end = starts[node.end_lineno] + node.end_col_offset  # type: ignore[attr-defined]
        new = ast.unparse(replacement)
        if not is_statement:
            new = f"({new})"
        mutated = (data[:start] + new.encode() + data[end:]).decode()
        try:
            compile(mutated, relative, "exec", dont_inherit=True)
        except SyntaxError:
            continue
        found.append(Mutant(relative, line, mutation, mutated))
    return found


# --- Which tests run which line -----------------------------------------------------


def _digest(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _shared_digest() -> str:
    """What every test depends on: the package, the configuration, the test helpers."""
    helpers = [p for p in (ROOT / "tests").glob("*.py") if not p.name.startswith("test_")]
    return _digest(
        [*sorted((ROOT / "src").rglob("*.py")), ROOT / "pyproject.toml", *sorted(helpers)]
    )


def _map_tests(files: list[str], data_file: Path) -> list[str]:
    """Run ``files`` once with a coverage context per test; the ids of tests that fail."""
    env = {**os.environ, "COVERAGE_FILE": str(data_file), "PYTHONPATH": str(ROOT / "src")}
    started = time.monotonic()
    print(f"Mapping lines to tests: {len(files)} test files, with coverage contexts ...")
    result = subprocess.run(
        [
            sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
            "--cov=coopcli", "--cov-context=test", "--cov-report=", "--cov-fail-under=0",
            *files,
        ],
        cwd=ROOT, env=env, check=False, capture_output=True, text=True,
    )  # fmt: skip
    failed = [line.split()[1] for line in result.stdout.splitlines() if line.startswith("FAILED ")]
    if result.returncode not in (0, 1) or (result.returncode == 1 and not failed):
        sys.exit(f"the tests cannot run:\n{result.stdout[-3000:]}")
    print(f"  done in {time.monotonic() - started:.0f} s")
    return failed


def line_map(refresh: bool = False) -> dict[str, dict[int, set[str]]]:
    """module path -> line -> ids of the tests that execute it.

    Cached in ``.mutate-cache/`` per test file: only test files that changed (or all,
    when the package or the test helpers changed) run again.
    """
    from coverage import CoverageData

    CACHE.mkdir(exist_ok=True)
    (CACHE / ".gitignore").write_text("*\n")
    state_file = CACHE / "map.json"
    state = json.loads(state_file.read_text()) if state_file.exists() else {}
    shared = _shared_digest()
    if refresh or state.get("shared") != shared:
        state = {"shared": shared, "files": {}}
    known: dict[str, dict[str, Any]] = state["files"]
    current = {
        p.relative_to(ROOT).as_posix(): _digest([p])
        for p in sorted((ROOT / "tests").glob("test_*.py"))
    }
    for name in set(known) - set(current):
        del known[name]
    stale = [
        name for name, digest in current.items() if known.get(name, {}).get("digest") != digest
    ]
    if stale:
        run_name = f"coverage-{time.time_ns()}"
        failed = _map_tests(stale, CACHE / run_name)
        for name in stale:
            owned = [test for test in failed if test.startswith(name + "::")]
            known[name] = {"digest": current[name], "run": run_name, "failed": owned}
        state_file.write_text(json.dumps(state, indent=1))
    runs = {entry["run"] for entry in known.values()}
    for old in CACHE.glob("coverage-*"):
        if old.name not in runs:
            old.unlink()

    # A test that fails without any mutant would "kill" every mutant: leave it out.
    broken = {test for entry in known.values() for test in entry["failed"]}
    for test in sorted(broken):
        print(f"  left out, it fails without any mutant: {test}")
    mapping: dict[str, dict[int, set[str]]] = {}
    import_time: dict[str, set[int]] = {}
    for run_name in sorted(runs):
        owned_files = {name for name, entry in known.items() if entry["run"] == run_name}
        data = CoverageData(basename=str(CACHE / run_name))
        data.read()
        for measured in data.measured_files():
            try:
                relative = Path(measured).resolve().relative_to(ROOT).as_posix()
            except ValueError:
                continue
            lines = mapping.setdefault(relative, {})
            for line, contexts in data.contexts_by_lineno(measured).items():
                tests = {
                    test
                    for test in (context.split("|")[0] for context in contexts if context)
                    if test.split("::")[0] in owned_files and test not in broken
                }
                if tests:
                    lines.setdefault(line, set()).update(tests)
                else:
                    import_time.setdefault(relative, set()).add(line)
    # A line run only while the module is imported (a constant, a table, a compiled
    # pattern) or only in a subprocess matters to every test that uses the module.
    for relative, lines_at_import in import_time.items():
        lines = mapping[relative]
        users = set().union(*lines.values()) if lines else set()
        for line in lines_at_import:
            lines.setdefault(line, users)
    return mapping


# --- Running mutants ----------------------------------------------------------------


def _load_equivalent() -> dict[tuple[str, int, str], str]:
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]

    if not EQUIVALENT.exists():
        return {}
    entries = tomllib.loads(EQUIVALENT.read_text(encoding="utf-8")).get("equivalent", [])
    return {(e["module"], int(e["line"]), e["mutation"]): e["reason"] for e in entries}


def _not_copied(directory: str, names: list[str]) -> set[str]:
    # Bytecode, and the benchmarks' generated data and throwaway venv.
    skipped = {"__pycache__"}
    if Path(directory) == ROOT / "benchmarks":
        skipped |= {"data", ".peers"}
    return skipped & set(names)


@contextlib.contextmanager
def _tree_copies(count: int) -> Iterator[list[Path]]:
    with tempfile.TemporaryDirectory(prefix="coopcli-mutate-") as base:
        copies = []
        for number in range(count):
            target = Path(base) / f"tree{number}"
            target.mkdir()
            for name in TREE:
                source = ROOT / name
                if source.is_dir():
                    shutil.copytree(source, target / name, ignore=_not_copied)
                elif source.exists():
                    shutil.copy2(source, target / name)
            copies.append(target)
        yield copies


def _pytest(tree: Path, tests: list[str], timeout: float) -> tuple[str, float]:
    """Run ``tests`` in ``tree`` (its ``src`` first on the path, for subprocesses too)."""
    env = {
        **os.environ,
        "PYTHONPATH": str(tree / "src"),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    started = time.monotonic()
    # A session of its own, so a timeout ends every process the tests started too.
    process = subprocess.Popen(
        [*PYTEST, "-x", *tests],
        cwd=tree,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        returncode = process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        return "timeout", time.monotonic() - started
    finally:
        if process.returncode is None:  # interrupted: leave nothing running
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
    seconds = time.monotonic() - started
    if returncode == 0:
        return "survived", seconds
    if returncode == 5:
        return "untested", seconds
    return "killed", seconds


@functools.cache
def _function_lines(module: Path) -> frozenset[int]:
    """The lines of ``module`` inside a function body (run when called, not imported)."""
    inside: set[int] = set()
    for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            body = node.body if isinstance(node.body, list) else [node.body]
            for statement in body:
                end = statement.end_lineno or statement.lineno
                inside.update(range(statement.lineno, end + 1))
    return frozenset(inside)


def _tests_for(
    mutant: Mutant, mapping: dict[str, dict[int, set[str]]], extra: list[str]
) -> list[str]:
    lines = mapping.get(mutant.module, {})
    tests = set(lines.get(mutant.line, set()))
    if mutant.line not in _function_lines(ROOT / mutant.module):
        # Run while the module is imported: coverage credits the line to whichever
        # test imported the module first (modules are imported lazily), but what it
        # sets up (a constant, a table, a model's configuration) serves every test
        # that uses the module.
        tests |= set().union(*lines.values()) if lines else set()
    # A mutant of a multi-line statement may sit on a later line than the one executed.
    if not tests:
        for offset in (1, 2, 3):
            tests = set(lines.get(mutant.line - offset, set()))
            if tests:
                break
    if not tests and not extra:
        return []
    files_extra = set(extra)
    stem = Path(mutant.module).stem

    def order(test: str) -> tuple[bool, str]:
        # The module's own tests first (test_search*.py for search.py): with -x, a
        # mutant they kill costs one short run.
        return (stem not in Path(test.split("::")[0]).stem, test)

    chosen = sorted((t for t in tests if t.split("::")[0] not in files_extra), key=order)
    # The files asked for come first: they are the ones expected to kill.
    return [name for name in extra if name in files_extra] + chosen


def run(args: argparse.Namespace) -> int:
    modules = [Path(m) for m in args.modules]
    for module in modules:
        if not module.exists():
            sys.exit(f"no such module: {module}")
    equivalent = _load_equivalent()
    extra: list[str] = []
    if args.safety:
        extra += [name for name in SAFETY_TESTS if (ROOT / name).exists()]
    extra += args.also
    plan: list[Mutant] = []
    for module in modules:
        everything = mutants_of(module)
        if args.lines:
            wanted = {int(n) for n in args.lines.split(",")}
            everything = [m for m in everything if m.line in wanted]
        chosen = everything
        if args.sample and len(everything) > args.sample:
            chosen = sorted(
                random.Random(f"{args.seed}:{module.as_posix()}").sample(everything, args.sample),
                key=lambda m: (m.line, m.mutation),
            )
        print(f"{module}: {len(everything)} mutants, running {len(chosen)}")
        plan += chosen
    if args.list:
        for mutant in plan:
            print(f"{mutant.module}:{mutant.line}: {mutant.mutation}")
        return 0

    if args.no_map and not extra:
        sys.exit("--no-map needs the tests to run: give --also (or --safety)")
    mapping = {} if args.no_map else line_map(refresh=args.refresh_map)
    outcomes: list[Outcome] = []
    lock = threading.Lock()
    done = 0

    def report(outcome: Outcome) -> None:
        nonlocal done
        with lock:
            done += 1
            outcomes.append(outcome)
            if args.verbose or outcome.status in ("survived", "untested") or done % 10 == 0:
                m = outcome.mutant
                print(
                    f"[{done}/{len(plan)}] {outcome.status:9} {m.module}:{m.line}: "
                    f"{m.mutation} ({outcome.tests} tests, {outcome.seconds:.0f} s)",
                    flush=True,
                )

    todo: list[tuple[Mutant, list[str]]] = []
    for mutant in plan:
        if mutant.key in equivalent:
            report(Outcome(mutant, "equivalent"))
            continue
        tests = _tests_for(mutant, mapping, extra)
        if not tests:
            report(Outcome(mutant, "untested"))
            continue
        todo.append((mutant, tests))

    with _tree_copies(args.workers) as trees:
        free = list(trees)
        free_lock = threading.Lock()

        def work(item: tuple[Mutant, list[str]]) -> Outcome:
            mutant, tests = item
            with free_lock:
                tree = free.pop()
            target = tree / mutant.module
            original = target.read_bytes()
            try:
                target.write_text(mutant.source, encoding="utf-8")
                status, seconds = _pytest(tree, tests, args.timeout)
            finally:
                target.write_bytes(original)
                with free_lock:
                    free.append(tree)
            return Outcome(mutant, status, len(tests), seconds)

        with concurrent.futures.ThreadPoolExecutor(args.workers) as pool:
            for outcome in pool.map(work, todo):
                report(outcome)

    _summary(outcomes, modules, equivalent)
    return 0


def _summary(
    outcomes: list[Outcome], modules: list[Path], equivalent: dict[tuple[str, int, str], str]
) -> None:
    print()
    print(
        f"{'module':34} {'mutants':>7} {'killed':>6} {'timeout':>7} {'survived':>8} "
        f"{'untested':>8} {'equiv':>5} {'score':>6}"
    )
    for module in modules:
        name = module.resolve().relative_to(ROOT).as_posix()
        mine = [o for o in outcomes if o.mutant.module == name]
        count = {
            s: sum(o.status == s for o in mine)
            for s in ("killed", "timeout", "survived", "untested", "equivalent")
        }
        judged = len(mine) - count["equivalent"]
        score = (count["killed"] + count["timeout"]) / judged if judged else 1.0
        print(
            f"{name:34} {len(mine):>7} {count['killed']:>6} {count['timeout']:>7} "
            f"{count['survived']:>8} {count['untested']:>8} {count['equivalent']:>5} {score:>6.0%}"
        )
    left = sorted(
        (o for o in outcomes if o.status in ("survived", "untested")),
        key=lambda o: (o.mutant.module, o.mutant.line),
    )
    if left:
        print("\nSurviving mutants (untested: no test executes the line):")
        for o in left:
            tag = " [untested]" if o.status == "untested" else ""
            print(f"  {o.mutant.module}:{o.mutant.line}: {o.mutant.mutation}{tag}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "modules", nargs="+", help="modules to mutate, e.g. src/coopcli/core/search.py"
    )
    parser.add_argument(
        "--sample",
        type=int,
        default=0,
        help="at most this many mutants per module (random, by --seed)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--lines", help="only mutants on these lines, e.g. 28,42 (to recheck)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--timeout", type=float, default=300, help="seconds per mutant (default 300)"
    )
    parser.add_argument(
        "--safety",
        action="store_true",
        help="also run the process-based safety tests for every mutant",
    )
    parser.add_argument(
        "--also",
        action="append",
        default=[],
        help="a test file to run first for every mutant (repeatable)",
    )
    parser.add_argument(
        "--refresh-map", action="store_true", help="redo the coverage run even if cached"
    )
    parser.add_argument("--list", action="store_true", help="only list the mutants")
    parser.add_argument(
        "--no-map",
        action="store_true",
        help="skip the coverage run: every mutant gets only the --also tests (a quick lower bound)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="print every mutant's outcome")
    return run(parser.parse_args())


if __name__ == "__main__":
    sys.exit(main())
