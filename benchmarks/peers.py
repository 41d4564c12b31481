"""The peers coopcli is measured against: buku (SQLite bookmarks) and jrnl (a text journal).

    python benchmarks/peers.py install     # into benchmarks/.peers/venv, from the registry
    python benchmarks/peers.py status      # which peers are there, and their versions

Each peer runs from its own virtual environment (never the one coopcli is installed
in) with its own HOME and XDG directories, so nothing of the user's is read or changed.
A peer that cannot be installed is reported as missing; the benchmark goes on without it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import venv
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
PEERS_DIR = HERE / ".peers"
VENV = PEERS_DIR / "venv"
#: The versions the issue's figures were measured with.
PINS = {"buku": "buku==5.1", "jrnl": "jrnl==4.6"}

#: What every operation adds: the same item for every tool.
ADD_TITLE = "Cooperatives at COP26"
ADD_SUMMARY = "Cooperatives took part in the climate talks in Glasgow."
ADD_TAG = "climate"
ADD_URL = "https://www.example.org/cop26"
EDIT_TITLE = "Cooperatives at COP26, updated"


def base_env(home: Path) -> dict[str, str]:
    """A clean environment whose home and XDG directories are all under ``home``."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_STATE_HOME": str(home / ".local" / "state"),
        "COLUMNS": "100",
        "NO_COLOR": "1",
        "TERM": "dumb",
    }
    if "TMPDIR" in os.environ:
        env["TMPDIR"] = os.environ["TMPDIR"]
    return env


@dataclass
class Peer:
    """A peer tool: how to give it a copy of the data, and the command for each operation."""

    name: str

    @property
    def executable(self) -> Path:
        """The peer's script in the peers' venv."""
        return VENV / "bin" / self.name

    def available(self) -> bool:
        """Whether the peer is installed."""
        return self.executable.exists()

    def version(self) -> str | None:
        """The installed version (from the venv's metadata), or None."""
        if not self.available():
            return None
        python = VENV / "bin" / "python"
        code = f"import importlib.metadata as m; print(m.version({self.name!r}))"
        done = subprocess.run(
            [str(python), "-c", code], capture_output=True, text=True, check=False, timeout=60
        )
        return done.stdout.strip() or None

    def setup(self, home: Path, data: Path) -> dict[str, str]:
        """Lay out ``home`` with a fresh copy of the data; return the environment to run in."""
        raise NotImplementedError

    def argv(self, op: str, meta: Mapping[str, object]) -> list[str] | None:
        """The command for an operation, or None when the peer has no such thing."""
        raise NotImplementedError


class Buku(Peer):
    """buku 5: bookmarks in SQLite at ``$XDG_DATA_HOME/buku/bookmarks.db``."""

    def setup(self, home: Path, data: Path) -> dict[str, str]:
        env = base_env(home)
        db_dir = Path(env["XDG_DATA_HOME"]) / "buku"
        db_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(data / "bookmarks.db", db_dir / "bookmarks.db")
        return env

    def argv(self, op: str, meta: Mapping[str, object]) -> list[str] | None:
        # --nostdin must come first: without it buku waits for input on a pipe.
        exe = [str(self.executable), "--nostdin"]
        quiet = ["--np", "--nc"]
        add = [*quiet, "--offline", "-a", ADD_URL, ADD_TAG, "--title", ADD_TITLE, "-c", ADD_SUMMARY]
        commands = {
            "version": ["--version"],
            "help": ["--help"],
            "list": [*quiet, "-p", "-20"],
            "tag": [*quiet, "--stag", str(meta["tag"])],
            "search": [*quiet, "-s", str(meta["word"])],
            "search_common": [*quiet, "-s", str(meta["common"])],
            "show": [*quiet, "-p", str(meta["show_index"])],
            "add": add,
            # buku's nearest thing to a summary: every tag with its count.
            "stats": [*quiet, "--stag"],
            "export": [*quiet, "-p", "-j"],
            # The nearest buku has to the operations coopcli adds to the table.
            "add_mid": add,
            "edit": [*quiet, "--tacit", "-u", str(meta["show_index"]), "--title", EDIT_TITLE],
            "remove": [*quiet, "--tacit", "-d", str(meta["show_index"])],
            "import": add,
            "pulled": [*quiet, "-p", "-20"],
        }
        args = commands.get(op)
        return None if args is None else [*exe, *args]


class Jrnl(Peer):
    """jrnl 4: a plain-text journal; its config in ``$XDG_CONFIG_HOME/jrnl/jrnl.yaml``."""

    def setup(self, home: Path, data: Path) -> dict[str, str]:
        env = base_env(home)
        config = Path(env["XDG_CONFIG_HOME"]) / "jrnl"
        config.mkdir(parents=True, exist_ok=True)
        Path(env["XDG_DATA_HOME"]).mkdir(parents=True, exist_ok=True)
        journal = home / "journal.txt"
        shutil.copyfile(data / "journal.txt", journal)
        # The config jrnl 4.6 writes itself, so that it never rewrites it mid-run.
        (config / "jrnl.yaml").write_text(
            "colors:\n  body: none\n  date: none\n  tags: none\n  title: none\n"
            "default_hour: 9\ndefault_minute: 0\neditor: ''\nencrypt: false\n"
            "highlight: false\nindent_character: '|'\n"
            f"journals:\n  default:\n    journal: {journal}\n"
            "linewrap: 79\ntagsymbols: '@'\ntemplate: false\n"
            "timeformat: '%Y-%m-%d %H:%M'\nversion: '4.6'\n",
            encoding="utf-8",
        )
        return env

    def argv(self, op: str, meta: Mapping[str, object]) -> list[str] | None:
        commands = {
            "version": ["--version"],
            "help": ["--help"],
            "list": ["-n", "20"],
            "tag": [f"@{meta['tag']}"],
            "search": ["-contains", str(meta["word"])],
            "search_common": ["-contains", str(meta["common"])],
            # jrnl has no ids: the entries of the item's day, the first of them.
            "show": ["-on", str(meta["show_date"]), "-n", "1"],
            "add": [f"{meta['add_date']}: {ADD_TITLE}. {ADD_SUMMARY} @{ADD_TAG}"],
            # jrnl's nearest thing to a summary: every tag with its count.
            "stats": ["--tags"],
            "export": ["--format", "json"],
        }
        args = commands.get(op)
        return None if args is None else [str(self.executable), *args]


PEERS: dict[str, Peer] = {"buku": Buku("buku"), "jrnl": Jrnl("jrnl")}


def install(names: list[str] | None = None, *, quiet: bool = False) -> dict[str, bool]:
    """Install the peers (pinned versions) into the peers' venv; returns which are there.

    Each peer is installed on its own, so one that fails does not keep out the other.
    """
    wanted = names or list(PEERS)
    if not (VENV / "bin" / "python").exists():
        PEERS_DIR.mkdir(parents=True, exist_ok=True)
        (PEERS_DIR / ".gitignore").write_text("*\n", encoding="utf-8")
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    state: dict[str, bool] = {}
    for name in wanted:
        peer = PEERS[name]
        if not peer.available():
            if not quiet:
                print(f"installing {PINS[name]} into {VENV}", file=sys.stderr)
            done = subprocess.run(
                [str(VENV / "bin" / "python"), "-m", "pip", "install", "-q", PINS[name]],
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode != 0 and not quiet:
                last = (done.stderr.strip().splitlines() or ["pip failed"])[-1]
                print(f"{name}: could not install ({last}); going on without it", file=sys.stderr)
        state[name] = peer.available()
    return state


def main(argv: list[str] | None = None) -> None:
    """Command line: ``peers.py install|status``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["install", "status"])
    args = parser.parse_args(argv)
    if args.action == "install":
        install()
    for name, peer in PEERS.items():
        version = peer.version()
        print(f"{name}\t{version or 'missing'}")


if __name__ == "__main__":
    main()
