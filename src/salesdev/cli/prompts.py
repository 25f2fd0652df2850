"""Reading a secret from the person at the terminal or from a script, never from the command line.

A password given as an argument would be visible to every user of the machine (``ps``) and
kept in the shell's history; a hidden prompt or one line of standard input is neither.
"""

from __future__ import annotations

import sys

import typer

from salesdev.core.errors import ErrorDetail, InvalidInput

STDIN_HELP = (
    "Read the password from the first line of standard input instead of prompting (for scripts)."
)


def read_new_password(*, from_stdin: bool, location: str = "password") -> str:
    if from_stdin:
        line = sys.stdin.readline()
        typed = line.removesuffix("\n").removesuffix("\r")
        if not typed:
            raise InvalidInput(
                "No password given",
                [
                    ErrorDetail(
                        location, "expected the password on the first line of standard input"
                    )
                ],
            )
        return typed
    # On stderr, so that stdout carries only the command's result.
    prompted = typer.prompt("Password", hide_input=True, confirmation_prompt=True, err=True)
    return str(prompted)
