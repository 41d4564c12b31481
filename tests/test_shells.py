"""``--show-completion`` and ``--install-completion``: each shell gets its own script."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.procs import coopcli_process

#: What marks each shell's script: the way that shell registers a completion.
MARKS = {
    "bash": ("complete -o default -F _coopcli_completion coopcli", "complete_bash"),
    "zsh": ("#compdef coopcli", "complete_zsh"),
    "fish": ("complete --command coopcli", "complete_fish"),
}
#: Where each shell loads a completion from (under $HOME).
INSTALLED = {
    "bash": ".bash_completions/coopcli.sh",
    "zsh": ".zfunc/_coopcli",
    "fish": ".config/fish/completions/coopcli.fish",
}


@pytest.mark.parametrize("shell", list(MARKS))
def test_show_completion_prints_the_named_shells_script(shell: str) -> None:
    # Run from bash (the shell detected here), so a script for another shell proves
    # that the name given is the one used.
    result = coopcli_process("--show-completion", shell, env={"SHELL": "/bin/bash"})
    assert result.returncode == 0, result.stderr
    for mark in MARKS[shell]:
        assert mark in result.stdout
    for other in set(MARKS) - {shell}:
        assert MARKS[other][1] not in result.stdout


@pytest.mark.parametrize("shell", list(MARKS))
def test_install_completion_installs_the_named_shells_script(shell: str, isolated: Path) -> None:
    result = coopcli_process("--install-completion", shell)
    assert result.returncode == 0, result.stderr
    script = isolated / "home" / INSTALLED[shell]
    assert result.stderr == (
        f"{shell} completion installed in {script}; it works in new {shell} sessions\n"
    )
    text = script.read_text()
    for mark in MARKS[shell]:
        assert mark in text
    installed = {name for name, path in INSTALLED.items() if (isolated / "home" / path).exists()}
    assert installed == {shell}


def test_an_unknown_shell_is_a_usage_error() -> None:
    result = coopcli_process("--show-completion", "tcsh")
    assert result.returncode == 2
    assert result.stderr == (
        "Error: no completion for the shell 'tcsh'; one of bash, zsh, fish, powershell, pwsh\n"
    )


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_the_script_is_valid_in_its_shell(shell: str, tmp_path: Path) -> None:
    program = shutil.which(shell)
    if program is None:
        pytest.skip(f"{shell} is not installed")
    script = tmp_path / "script"
    script.write_text(coopcli_process("--show-completion", shell).stdout)
    check = (
        [program, "--no-execute", str(script)] if shell == "fish" else [program, "-n", str(script)]
    )
    assert subprocess.run(check, capture_output=True, check=False).returncode == 0
