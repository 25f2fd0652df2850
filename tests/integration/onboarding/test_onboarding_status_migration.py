"""Migration 0013: applicants marked ``suspended`` become ``onboarding``; nothing else moves.

SQLite file of its own (a migration is run down and up again); the same SQL was checked on
PostgreSQL when the migration was written.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import select

from salesdev.db.migrate import alembic_config, upgrade
from salesdev.db.models import OnboardingCase, Partner
from salesdev.db.session import make_engine, make_session_factory
from tests.integration.authorisation import builders as b


def _statuses(engine: object) -> dict[str, str]:
    table = Partner.__table__
    with engine.connect() as connection:  # type: ignore[attr-defined]
        return dict(connection.execute(select(table.c.code, table.c.status)).all())


def test_suspended_applicants_become_onboarding_and_back(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'migrate.db'}"
    engine = make_engine(url)
    upgrade(engine)
    # Given, as before 0013: an applicant in training marked suspended, a suspended
    # partner whose case is suspended, and an active partner
    with make_session_factory(engine)() as session:
        channel = b.channel(session)
        for code, status, state in (
            ("APPLICANT", "suspended", "training"),
            ("BARRED", "suspended", "suspended"),
            ("SELLING", "active", "active"),
        ):
            partner = b.partner(session, code, channel.id)
            partner.status = status
            session.add(
                OnboardingCase(
                    partner_id=partner.id, state=state, opened_by="user:carla",
                    created_at=b.SETUP, updated_at=b.SETUP,
                )
            )  # fmt: skip
        session.commit()
    config = alembic_config(url)
    command.downgrade(config, "0012")
    assert _statuses(engine)["APPLICANT"] == "suspended"
    # When 0013 runs
    command.upgrade(config, "0013")
    # Then only the applicant moves to onboarding
    assert _statuses(engine) == {
        "APPLICANT": "onboarding",
        "BARRED": "suspended",
        "SELLING": "active",
    }
    # and the downgrade puts it back
    command.downgrade(config, "0012")
    assert _statuses(engine)["APPLICANT"] == "suspended"
    engine.dispose()
