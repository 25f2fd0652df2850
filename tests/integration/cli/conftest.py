from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from salesdev.cli.main import app
from tests.conftest import Database

# getpass.getuser() reads LOGNAME first: the operator the CLI records in the audit trail.
OPERATOR = "operator"


class Cli:
    def __init__(self, env: dict[str, str]) -> None:
        self.env = {"LOGNAME": OPERATOR, **env}

    def __call__(self, *args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(app, list(args), env=self.env, input=input)


@pytest.fixture
def cli(database: Database, tmp_path: Path) -> Cli:
    """The ``salesdev`` command pointed at the test database."""
    return Cli({"SALESDEV_DATABASE_URL": database.url, "SALESDEV_DATA_DIR": str(tmp_path / "var")})


@pytest.fixture
def fresh_cli(tmp_path: Path) -> Cli:
    """The command pointed at an empty SQLite database that no migration has touched."""
    data_dir = tmp_path / "fresh"
    return Cli(
        {
            "SALESDEV_DATABASE_URL": f"sqlite:///{data_dir / 'fresh.db'}",
            "SALESDEV_DATA_DIR": str(data_dir),
        }
    )
