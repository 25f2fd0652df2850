"""An import tells how far it got: reading, checking, then every hundredth of the rows written."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from salesdev.core.errors import InvalidInput
from salesdev.domains.interchange import import_file
from tests.conftest import T0

Step = tuple[int, int | None, str]


def _import(session: Session, path: Path) -> list[Step]:
    steps: list[Step] = []
    import_file(
        session,
        dataset="regions",
        path=path,
        now=T0,
        progress=lambda done, total, message: steps.append((done, total, message)),
    )
    return steps


def test_progress_covers_reading_checking_and_each_row_of_a_small_file(
    session: Session, tmp_path: Path
) -> None:
    path = tmp_path / "regions.csv"
    path.write_text("code,name,parent_code\nNORTH,North,\nNORTH-CITY,North city,NORTH\n")

    assert _import(session, path) == [
        (0, None, "reading regions.csv"),
        (0, 2, "checking 2 rows"),
        (1, 2, "writing rows: 1 of 2"),
        (2, 2, "writing rows: 2 of 2"),
    ]


def test_a_large_file_reports_a_hundred_steps_not_one_per_row(
    session: Session, tmp_path: Path
) -> None:
    path = tmp_path / "regions.csv"
    path.write_text(
        "code,name,parent_code\n" + "".join(f"R{n},Region {n},\n" for n in range(1, 1051))
    )

    steps = _import(session, path)

    writes = [step for step in steps if step[2].startswith("writing")]
    assert len(writes) == 105  # every 10th of 1050 rows
    assert writes[0] == (10, 1050, "writing rows: 10 of 1050")
    assert writes[-1] == (1050, 1050, "writing rows: 1050 of 1050")


def test_a_refused_file_reports_no_writing(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "regions.csv"
    path.write_text("code,name,parent_code\nNORTH,,\n")

    steps: list[Step] = []
    with pytest.raises(InvalidInput):
        import_file(
            session,
            dataset="regions",
            path=path,
            now=T0,
            progress=lambda done, total, message: steps.append((done, total, message)),
        )

    assert steps == [(0, None, "reading regions.csv"), (0, 1, "checking 1 row")]
