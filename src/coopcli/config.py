"""Settings: which item file to use, the editor, the pager, and the user's config file.

The config file is ``$XDG_CONFIG_HOME/coopcli/config.toml`` (platformdirs picks the
right place on each platform)::

    file = "~/news/news.toml"     # the default item file (relative: to this file)
    editor = "nano"               # after $VISUAL and $EDITOR
    pager = "less -R"             # after $PAGER
    date_format = "%d %b %Y"      # how tables show dates; stored dates stay ISO

    [feed]                        # defaults for feed exports
    title = "News from our cooperatives"
    link = "https://www.example.org/news"

    [limits]                      # the longest text add and edit accept (characters)
    title = 300
    summary = 5000

    [site]                        # defaults for coopcli site (see docs/site.md)
    output = "~/public/news"      # relative: to this file
    base_url = "https://www.example.org/news/"
    page_size = 20

Each setting comes from a flag, an environment variable, the config file, or a
default, in that order; :func:`settings` says which for ``coopcli config show``.
Unknown keys and values of the wrong type are errors that name the file and the key.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs
import tomli

from coopcli.core.errors import DataError, UsageError
from coopcli.core.rules import Limits

if TYPE_CHECKING:
    from coopcli.core.rules import Limits

APP_NAME = "coopcli"

#: Top-level keys of the config file, and what each must be.
KEYS: dict[str, str] = {
    "file": "a path",
    "editor": "a command",
    "pager": "a command",
    "date_format": "a strftime format such as '%d %b %Y'",
    "feed": "a table with title and link",
    "limits": "a table with title and summary",
    "site": "a table of coopcli site settings",
}
FEED_KEYS = ("title", "link")
LIMIT_KEYS = ("title", "summary")
DEFAULT_DATE_FORMAT = "%Y-%m-%d"
DEFAULT_PAGER = "less"


def config_path() -> Path:
    """Where the config file lives (it need not exist)."""

    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def _kind(value: object) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a number", list: "a list"}
    names.update({dict: "a table", str: "a string", dt.date: "a date"})
    return names.get(type(value), type(value).__name__)


def _check(path: Path, data: dict[str, Any]) -> dict[str, Any]:
    for key, value in data.items():
        if key not in KEYS:
            raise DataError(f"{path}: unknown key {key!r} (known: {', '.join(KEYS)})")
        if key == "site":
            _check_site(path, value)
            continue
        if key == "feed":
            if not isinstance(value, dict):
                raise DataError(f"{path}: 'feed' must be a table ([feed]), not {_kind(value)}")
            for sub, text in value.items():
                if sub not in FEED_KEYS:
                    raise DataError(
                        f"{path}: unknown key 'feed.{sub}' (known: feed.title, feed.link)"
                    )
                if not isinstance(text, str):
                    raise DataError(f"{path}: 'feed.{sub}' must be a string, not {_kind(text)}")
            link = value.get("link")
            if link is not None:
                from coopcli.core.rules import check_url

                try:
                    check_url(link)
                except ValueError as exc:
                    raise DataError(f"{path}: 'feed.link' {exc}") from None
            continue
        if key == "limits":
            _check_limits(path, value)
            continue
        if not isinstance(value, str):
            raise DataError(f"{path}: {key!r} must be a string, not {_kind(value)}")
        if not value.strip() and key in ("file", "date_format"):
            raise DataError(f"{path}: {key!r} must be {KEYS[key]}, not empty")
        if key == "date_format" and "%" not in value:
            raise DataError(f"{path}: 'date_format' must be {KEYS[key]} (it has no % code)")
    return data


def _check_limits(path: Path, value: object) -> None:
    if not isinstance(value, dict):
        raise DataError(f"{path}: 'limits' must be a table ([limits]), not {_kind(value)}")
    for sub, number in value.items():
        if sub not in LIMIT_KEYS:
            raise DataError(
                f"{path}: unknown key 'limits.{sub}' (known: limits.title, limits.summary)"
            )
        if isinstance(number, bool) or not isinstance(number, int) or number < 1:
            raise DataError(
                f"{path}: 'limits.{sub}' must be a whole number of characters, 1 or more"
            )


#: Keys of the ``[site]`` table, and the type each must have.
SITE_KEYS: dict[str, type] = {
    "output": str,
    "base_url": str,
    "title": str,
    "description": str,
    "templates": str,
    "page_size": int,
    "feed_size": int,
    "port": int,
    "lang": str,
}


def _check_site(path: Path, value: object) -> None:
    if not isinstance(value, dict):
        raise DataError(f"{path}: 'site' must be a table ([site]), not {_kind(value)}")
    for sub, setting in value.items():
        wanted = SITE_KEYS.get(sub)
        if wanted is None:
            known = ", ".join(f"site.{key}" for key in SITE_KEYS)
            raise DataError(f"{path}: unknown key 'site.{sub}' (known: {known})")
        if not isinstance(setting, wanted) or isinstance(setting, bool):
            expected = "an integer" if wanted is int else "a string"
            raise DataError(f"{path}: 'site.{sub}' must be {expected}, not {_kind(setting)}")
        if isinstance(setting, int) and sub == "port" and not 0 <= setting <= 65535:
            raise DataError(f"{path}: 'site.port' must be 0 to 65535, not {setting}")
        if isinstance(setting, int) and sub != "port" and setting < 1:
            raise DataError(f"{path}: 'site.{sub}' must be 1 or more, not {setting}")
    base_url = value.get("base_url")
    if base_url is not None:
        from coopcli.core.rules import check_url

        try:
            check_url(base_url)
        except ValueError as exc:
            raise DataError(f"{path}: 'site.base_url' {exc}") from None


def site_defaults(config: dict[str, Any] | None = None) -> dict[str, Any]:
    """The ``[site]`` table of the config file; ``output`` and ``templates`` made
    paths relative to the config file's folder."""
    config = load_config() if config is None else config
    table: dict[str, Any] = dict(config.get("site", {}))
    for key in ("output", "templates"):
        if key in table:
            table[key] = config_path().parent / checked_path(table[key])
    return table


#: The last config file parsed, by path and stat: a command asks for several settings.
_parsed: dict[tuple[Path, int, int, int], dict[str, Any]] = {}


def load_config(path: Path | None = None) -> dict[str, Any]:
    """Read and check the config file; a missing one is empty, a malformed one an error.

    The file is parsed once for as long as it stays the same (size, mtime, inode).
    """
    path = path or config_path()
    try:
        st = path.stat()
    except FileNotFoundError:
        return {}
    except OSError:
        st = None
    key = None if st is None else (path, st.st_size, st.st_mtime_ns, st.st_ino)
    if key is not None and key in _parsed:
        return dict(_parsed[key])
    parsed = _read_config(path)
    if key is not None:
        _parsed.clear()
        _parsed[key] = parsed
    return dict(parsed)


def _read_config(path: Path) -> dict[str, Any]:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return {}
    except IsADirectoryError:
        raise DataError(f"{path}: is a directory, not a config file") from None
    except OSError as exc:
        raise DataError(f"{path}: cannot read the config file: {exc.strerror}") from None
    try:
        parsed = tomli.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, tomli.TOMLDecodeError) as exc:
        raise DataError(f"{path}: invalid config file: {exc}") from None
    return _check(path, parsed)


@dataclass(frozen=True)
class Setting:
    """One effective setting, and where it came from."""

    name: str
    value: str | None
    #: ``flag``, ``env``, ``config`` or ``default``.
    source: str
    #: The flag, variable or file that gave the value (empty for a default).
    origin: str = ""

    @property
    def is_default(self) -> bool:
        """True when no flag, variable or config gave the value."""
        return self.source == "default"


@dataclass(frozen=True)
class FileChoice:
    """The item file to use, and why it was chosen (shown in hints)."""

    path: Path
    source: str

    @property
    def is_default(self) -> bool:
        """True when no flag, variable or config named the file."""
        return self.source == "default"


def checked_path(text: str) -> Path:
    """A path typed by a person; one the OS cannot take (a NUL in it) is a usage error."""
    if "\0" in text:
        raise UsageError(f"{text!r}: a file name cannot contain a NUL character")
    return Path(text).expanduser()


def _file_setting(flag: str | None, config: dict[str, Any]) -> Setting:
    if flag:
        return Setting("file", str(checked_path(flag)), "flag", "--file")
    env = os.environ.get("COOPCLI_FILE")
    if env:
        return Setting("file", str(checked_path(env)), "env", "COOPCLI_FILE")
    configured = config.get("file")
    if configured is not None:
        where = config_path()
        # A relative path is taken from the config file's folder, not wherever the
        # command happens to run.
        path = where.parent / checked_path(configured)
        return Setting("file", str(path), "config", str(where))

    return Setting("file", str(Path(platformdirs.user_data_dir(APP_NAME)) / "news.toml"), "default")


def choose_file(flag: str | None) -> FileChoice:
    """Apply the precedence: flag, environment, config file, default."""
    setting = _file_setting(flag, {} if flag else load_config())
    source = {"flag": "--file", "default": "default"}.get(setting.source, setting.origin)
    return FileChoice(Path(setting.value or ""), source)


def default_editor() -> str:
    """An editor that is there: Debian's ``editor``, then nano, then vi (notepad on Windows)."""
    if sys.platform == "win32":  # pragma: no cover - tests run on POSIX
        return "notepad"
    for name in ("editor", "nano", "vi"):
        if shutil.which(name):
            return name
    return "vi"


def _env_or_config(
    name: str, variables: tuple[str, ...], config: dict[str, Any], default: str
) -> Setting:
    for variable in variables:
        value = os.environ.get(variable)
        if value is not None and value.strip():
            return Setting(name, value, "env", variable)
    if name in config:
        return Setting(name, config[name], "config", str(config_path()))
    return Setting(name, default, "default")


def editor_setting(config: dict[str, Any] | None = None) -> Setting:
    """The editor: ``$VISUAL``, ``$EDITOR``, config ``editor``, else a default."""
    config = load_config() if config is None else config
    return _env_or_config("editor", ("VISUAL", "EDITOR"), config, default_editor())


def pager_setting(config: dict[str, Any] | None = None) -> Setting:
    """The pager: ``$PAGER``, config ``pager``, else ``less``.

    An empty ``pager = ""`` in the config turns paging off.
    """
    config = load_config() if config is None else config
    value = os.environ.get("PAGER")
    if value is not None:
        # PAGER= (set but empty) is the usual way to say "no pager".
        return Setting("pager", value, "env", "PAGER")
    return _env_or_config("pager", (), config, DEFAULT_PAGER)


def date_format(config: dict[str, Any] | None = None) -> str:
    """How tables and ``show`` print dates (display only; files keep ISO dates)."""
    config = load_config() if config is None else config
    value: str = config.get("date_format", DEFAULT_DATE_FORMAT)
    return value


@dataclass(frozen=True)
class FeedDefaults:
    """The feed title and link to use when the item file does not set them."""

    title: str | None
    link: str | None


def feed_defaults(config: dict[str, Any] | None = None) -> FeedDefaults:
    """``[feed]`` ``title`` and ``link`` from the config file (None where not set)."""
    config = load_config() if config is None else config
    feed: dict[str, str] = config.get("feed", {})
    return FeedDefaults(feed.get("title"), feed.get("link"))


def limits(config: dict[str, Any] | None = None) -> Limits:
    """The longest title and summary ``add`` and ``edit`` accept: ``[limits]`` or defaults."""

    config = load_config() if config is None else config
    return Limits(**config.get("limits", {}))


def settings(file_flag: str | None = None) -> list[Setting]:
    """Every effective setting, in a fixed order, each with its source."""
    config = load_config()
    where = str(config_path())

    def configured(name: str, value: str | None, default: str | None) -> Setting:
        if value is not None:
            return Setting(name, value, "config", where)
        return Setting(name, default, "default")

    feed = config.get("feed", {})
    chosen = limits(config)
    given = config.get("limits", {})
    return [
        _file_setting(file_flag, config),
        editor_setting(config),
        pager_setting(config),
        configured("date_format", config.get("date_format"), DEFAULT_DATE_FORMAT),
        configured("feed.title", feed.get("title"), None),
        configured("feed.link", feed.get("link"), None),
        configured("limits.title", _text(given.get("title")), str(chosen.title)),
        configured("limits.summary", _text(given.get("summary")), str(chosen.summary)),
    ]


def _text(value: int | None) -> str | None:
    return None if value is None else str(value)
