"""Settings: which item file to use, and the user's config file.

The item file is chosen by ``--file``, else ``$COOPCLI_FILE``, else ``file`` in
``$XDG_CONFIG_HOME/coopcli/config.toml``, else ``news.toml`` in the user data directory.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomli

from coopcli.errors import DataError, UsageError

APP_NAME = "coopcli"


def config_path() -> Path:
    """Where the config file lives (it need not exist)."""
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def load_config(path: Path | None = None) -> dict[str, Any]:
    """Read the config file; a missing one is empty, a malformed one an error."""
    path = path or config_path()
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise DataError(f"{path}: cannot read the config file: {exc.strerror}") from None
    try:
        return tomli.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, tomli.TOMLDecodeError) as exc:
        raise DataError(f"{path}: invalid config file: {exc}") from None


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


def choose_file(flag: str | None) -> FileChoice:
    """Apply the precedence: flag, environment, config file, default."""
    if flag:
        return FileChoice(checked_path(flag), "--file")
    env = os.environ.get("COOPCLI_FILE")
    if env:
        return FileChoice(checked_path(env), "COOPCLI_FILE")
    configured = load_config().get("file")
    if configured is not None:
        if not isinstance(configured, str) or not configured.strip():
            raise DataError(f"{config_path()}: 'file' must be a path")
        return FileChoice(checked_path(configured), str(config_path()))
    import platformdirs

    return FileChoice(Path(platformdirs.user_data_dir(APP_NAME)) / "news.toml", "default")
