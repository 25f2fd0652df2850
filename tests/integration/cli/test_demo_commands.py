"""``salesdev demo load`` and the preparation behind ``salesdev serve --prepare-demo``."""

from __future__ import annotations

from pathlib import Path

import pytest

from salesdev.cli.prepare import prepare_demo
from salesdev.core.clock import FixedClock
from salesdev.core.settings import Settings
from salesdev.db.migrate import current_revision, head_revision
from salesdev.demo import is_demo_loaded
from salesdev.runtime import Runtime
from tests.conftest import T0
from tests.integration.cli.conftest import Cli


@pytest.mark.slow
def test_prepare_migrates_an_empty_database_and_loads_the_small_demo(tmp_path: Path) -> None:
    data_dir = tmp_path / "new-install" / "var"
    runtime = Runtime.from_settings(
        Settings(environment="test", data_dir=data_dir), clock=FixedClock(T0)
    )
    steps: list[tuple[int, int | None, str]] = []
    try:
        first = prepare_demo(
            runtime, progress=lambda done, total, msg: steps.append((done, total, msg))
        )
        second = prepare_demo(runtime)

        assert (data_dir / "salesdev.db").is_file()
        assert (first.revision_before, first.revision_after) == (None, head_revision())
        assert (first.demo_loaded, first.demo_summary.scale, first.demo_summary.seed) == (
            True,
            "small",
            42,
        )
        done, total, message = steps[-1]
        assert (done, message) == (total, "Demo loaded")
        assert (second.demo_loaded, second.skipped_because) == (
            False,
            "the database already holds reference data",
        )
        with runtime.session_factory() as session:
            assert is_demo_loaded(session)
        assert current_revision(runtime.engine) == head_revision()
    finally:
        runtime.close()


def test_prepare_leaves_a_database_with_its_own_data_alone(
    runtime: Runtime, cli: Cli, tmp_path: Path
) -> None:
    regions = tmp_path / "regions.csv"
    regions.write_text("code,name,parent_code\nNORTH,North,\n", encoding="utf-8")
    cli("import", "regions", str(regions))

    preparation = prepare_demo(runtime)

    assert (preparation.demo_loaded, preparation.revision_before) == (False, head_revision())


@pytest.mark.slow
def test_demo_load_loads_once_then_exits_4(cli: Cli) -> None:
    loaded = cli("demo", "load", "--scale", "small", "--seed", "7")
    again = cli("demo", "load")

    assert loaded.exit_code == 0
    assert loaded.stdout.splitlines()[:3] == [
        "Loaded the small demo data set (seed 7).",
        "  scale: small",
        "  seed: 7",
    ]
    assert (again.exit_code, again.stderr) == (
        4,
        "Error: This database already holds reference data; "
        "the demo loads into an empty database only\n",
    )


def test_an_unknown_scale_is_a_usage_error(cli: Cli) -> None:
    assert cli("demo", "load", "--scale", "huge").exit_code == 2
