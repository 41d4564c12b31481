"""Build the site: plan every file, render what changed, delete what is gone.

The output directory keeps a manifest, :data:`MANIFEST`, mapping each file the site
wrote to the fingerprint of its inputs. A rebuild renders only files whose
fingerprint changed (or that went missing), deletes files of the last build that the
site no longer has, and never touches a file it did not write. Every file is written
to a temporary name and renamed over the old one, so a web server serving the
directory never sends half a page.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import stat
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import platformdirs

from coopcli.core.errors import DataError, UsageError, WriteError
from coopcli.formats.feeds import clean_url
from coopcli.site import paths
from coopcli.site.pages import Output, Planner
from coopcli.site.paths import clean_text
from coopcli.site.settings import SiteSettings
from coopcli.site.source import SiteSource, read_list

if TYPE_CHECKING:
    import jinja2

MANIFEST = ".coopcli-site.json"
MANIFEST_VERSION = 1
PACKAGE = Path(__file__).resolve().parent
TEMPLATES = PACKAGE / "templates"
STATIC = PACKAGE / "static"
#: The templates a site is made of; ``--templates DIR`` may override any of them.
TEMPLATE_NAMES = (
    "base.html",
    "list.html",
    "item.html",
    "tags.html",
    "archive.html",
    "search.html",
    "404.html",
)

# Bidirectional embeddings, overrides and isolates: kept in the page body (where the
# element's dir="auto" isolates them) but dropped from titles and metadata.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class BuildReport:
    """What a build did."""

    items: int
    files: int
    written: int
    deleted: int
    seconds: float

    @property
    def unchanged(self) -> int:
        """Files that were already up to date."""
        return self.files - self.written

    def summary(self, output: Path) -> str:
        """One line for the user."""
        return (
            f"Built {output}: {self.files} files for {self.items} "
            f"item{'' if self.items == 1 else 's'} ({self.written} written, "
            f"{self.unchanged} unchanged, {self.deleted} deleted) in {self.seconds:.1f} s"
        )


def plain(value: object) -> str:
    """Text for ``<title>`` and metadata: no bidi controls, no forbidden characters."""
    return _BIDI.sub("", clean_text(str(value or "")))


def safe_url(value: object) -> str | None:
    """An http(s) URL, or None: a ``javascript:`` or other URL is never linked."""

    return clean_url(value)


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates kept in the user's cache directory (keyed by each template's
    source, so an edited template is compiled again): a rebuild after one change
    need not compile them all again."""
    import jinja2

    directory = Path(platformdirs.user_cache_dir("coopcli")) / "site-templates"
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(str(directory))


def environment(templates: Path | None) -> jinja2.Environment:
    """The Jinja2 environment: the user's templates first, then the built-in ones."""
    import jinja2

    searchpath = [str(TEMPLATES)]
    if templates is not None:
        if not templates.is_dir():
            raise UsageError(f"--templates {templates}: not a directory")
        searchpath.insert(0, str(templates))
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(searchpath),
        bytecode_cache=_bytecode_cache(),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters["plain"] = plain
    env.filters["safe_url"] = safe_url
    return env


def template_hash(templates: Path | None) -> str:
    """A digest of every template and static file the build would use."""
    digest = hashlib.blake2b(digest_size=16)
    for directory in (templates, TEMPLATES, STATIC):
        if directory is None:
            continue
        for path in sorted(directory.rglob("*")):
            if path.is_file():
                digest.update(str(path.relative_to(directory)).encode("utf-8", "surrogateescape"))
                digest.update(path.read_bytes())
    return digest.hexdigest()


def _static_files(templates: Path | None) -> dict[str, Path]:
    """``static/…`` site paths and the file each comes from (the user's win)."""
    found: dict[str, Path] = {}
    for directory in (STATIC, templates / "static" if templates else None):
        if directory is None or not directory.is_dir():
            continue
        for path in sorted(directory.rglob("*")):
            if path.is_file():
                found["static/" + path.relative_to(directory).as_posix()] = path
    return found


def load_manifest(output: Path) -> dict[str, str]:
    """The last build's files and fingerprints (empty when there was none or it is unreadable)."""

    try:
        data = orjson.loads((output / MANIFEST).read_bytes())
    except (OSError, ValueError):
        return {}
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict) or data.get("version") != MANIFEST_VERSION:
        return {}
    return {str(k): str(v) for k, v in files.items()}


class Writer:
    """Writes files into the output directory atomically, checking every path."""

    def __init__(self, output: Path) -> None:
        self.output = output
        self.made: set[str] = set()
        # Directories already checked to lie inside the output: a site has a few
        # thousand directories and tens of thousands of files.
        self.checked: dict[str, Path] = {}

    def target(self, path: str) -> Path:
        """The file for site path ``path``, which must stay inside the output."""
        directory, _, name = paths.check(path).rpartition("/")
        parent = self.checked.get(directory)
        if parent is None:
            parent = paths.inside(self.output, path).parent
            self.checked[directory] = parent
        return parent / name

    def check(self, path: str) -> str:
        """``path``, refused unless it is a safe relative path."""
        return paths.check(path)

    def exists(self, path: str) -> bool:
        """Whether the file for ``path`` is there."""
        try:
            return stat.S_ISREG(os.stat(f"{self.output}/{path}").st_mode)
        except OSError:
            return False

    def write(self, path: str, data: str | bytes) -> None:
        """Replace the file at ``path`` with ``data`` in one rename."""
        target = self.target(path)
        body = data.encode("utf-8") if isinstance(data, str) else data
        directory = target.parent
        key = str(directory)
        if key not in self.made:
            try:
                directory.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise WriteError(f"{directory}: cannot create: {exc.strerror}") from None
            self.made.add(key)
        temporary = directory / f".{target.name}.{os.getpid()}.tmp"
        # No fsync: a site is derived data that a rebuild makes again; what matters
        # is that readers see the old file or the new one, which the rename ensures.
        try:
            with open(temporary, "wb") as handle:
                handle.write(body)
            os.replace(temporary, target)
        except OSError as exc:
            with contextlib.suppress(OSError):
                temporary.unlink()
            raise WriteError(f"{target}: cannot write: {exc.strerror}") from None

    def delete(self, path: str) -> bool:
        """Remove a file the last build wrote, and directories it leaves empty."""
        try:
            target = self.target(path)
        except DataError:
            return False  # a manifest entry that is not one of ours: leave it be
        try:
            target.unlink()
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise WriteError(f"{target}: cannot delete: {exc.strerror}") from None
        parent = target.parent
        while parent != self.output and parent.is_relative_to(self.output):
            try:
                parent.rmdir()
            except OSError:
                break
            parent = parent.parent
        return True

    def save_manifest(self, files: dict[str, str]) -> None:
        """Record ``files`` as what the output holds."""

        data = {"version": MANIFEST_VERSION, "files": dict(sorted(files.items()))}
        self.write(MANIFEST, orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n")


def _check_output(output: Path) -> None:
    if output.exists() and not output.is_dir():
        raise UsageError(f"--output {output}: exists and is not a directory")
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteError(f"{output}: cannot create: {exc.strerror}") from None


def plan_site(source: SiteSource, settings: SiteSettings) -> list[Output]:
    """Every output file of the site for ``source``, with fingerprints."""
    env = environment(settings.templates)
    missing = [name for name in TEMPLATE_NAMES if name not in env.list_templates()]
    if missing:  # pragma: no cover - the package ships them all
        raise DataError(f"site: templates missing: {', '.join(missing)}")

    def render(name: str, context: dict[str, Any]) -> str:
        import jinja2

        try:
            return env.get_template(name).render(context)
        except jinja2.TemplateSyntaxError as exc:
            raise DataError(
                f"{exc.filename or name}:{exc.lineno}: template error: {exc.message}"
            ) from None
        except jinja2.TemplateError as exc:
            raise DataError(f"{name}: template error: {exc}") from None

    hashed = template_hash(settings.templates)
    outputs = Planner(source, settings, render, hashed).plan()
    for site_path, file in _static_files(settings.templates).items():
        outputs.append(
            Output(
                site_path,
                hashlib.blake2b(file.read_bytes(), digest_size=16).hexdigest(),
                file.read_bytes,
            )
        )
    return outputs


def build(item_file: Path, settings: SiteSettings, *, full: bool = False) -> BuildReport:
    """Build (or bring up to date) the site for ``item_file`` in ``settings.output``.

    With ``full``, every file is rendered again whatever the manifest says.
    """
    started = time.perf_counter()
    source = read_list(item_file, include_drafts=settings.include_drafts)
    if settings.page_size < 1:
        raise UsageError(f"--page-size {settings.page_size}: must be 1 or more")
    outputs = plan_site(source, settings)
    output = settings.output
    _check_output(output)
    writer = Writer(output)
    previous = {} if full else load_manifest(output)
    planned = {o.path: o for o in outputs}
    if len(planned) != len(outputs):  # pragma: no cover - paths are made unique
        raise DataError("site: two outputs share a path")
    stale = [path for path in previous if path not in planned and path != MANIFEST]
    todo = [
        o
        for o in outputs
        if previous.get(o.path) != o.fingerprint or not writer.exists(writer.check(o.path))
    ]
    # Record every file this build may write before writing it: a build that is
    # stopped half-way leaves a manifest that still knows each of its files.
    pending = {**previous, **{o.path: o.fingerprint for o in outputs}}
    for o in todo:
        pending[o.path] = ""
    if todo or stale:
        writer.save_manifest(pending)
    for o in todo:
        writer.write(o.path, o.make())
    deleted = sum(writer.delete(path) for path in stale)
    final = {o.path: o.fingerprint for o in outputs}
    if todo or stale or previous != final:
        writer.save_manifest(final)
    return BuildReport(
        items=len(source.items),
        files=len(outputs),
        written=len(todo),
        deleted=deleted,
        seconds=time.perf_counter() - started,
    )


def site_files(output: Path) -> Iterator[str]:
    """The files the last build wrote, by their site paths."""
    yield from sorted(load_manifest(output))
