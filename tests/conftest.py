"""Shared fixtures.

Storage tests take the ``database`` fixture: a database built by running the
migrations, on SQLite, or on PostgreSQL when ``SALESDEV_TEST_POSTGRES_URL`` is set
(``.ci/run`` runs ``pytest -m storage`` a second time that way). Each PostgreSQL
test process works in a schema of its own, emptied after every test.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from salesdev.core.clock import FixedClock
from salesdev.core.settings import Settings
from salesdev.db.base import Base
from salesdev.db.migrate import upgrade
from salesdev.db.session import make_engine, make_session_factory, unit_of_work
from salesdev.demo import DemoSummary, load_demo
from salesdev.domains.identity.passwords import use_fast_hashing_for_tests
from salesdev.runtime import Runtime

# Real argon2id, minimal cost: suites create many users.
use_fast_hashing_for_tests()

POSTGRES_URL = os.environ.get("SALESDEV_TEST_POSTGRES_URL", "")
T0 = datetime(2026, 10, 15, 9, 30, tzinfo=UTC)


@dataclass
class Database:
    url: str
    engine: Engine
    session_factory: sessionmaker[Session]

    @property
    def backend(self) -> str:
        return self.engine.dialect.name


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Any test that uses the database is a storage test, whether or not it says so.
    for item in items:
        if "database" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.storage)


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def _postgres_schema() -> Iterator[str]:
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = _with_search_path(POSTGRES_URL, schema)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _with_search_path(url: str, schema: str) -> str:
    # Commits do not wait for the WAL to reach the disk: a crash of the test server loses
    # nothing a test needs, and every test commits many times.
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}%20-csynchronous_commit%3Doff"


_EMPTIED = [t.name for t in Base.metadata.sorted_tables if t.name != "audit_chain_head"]


@pytest.fixture
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if POSTGRES_URL:
        url = request.getfixturevalue("_postgres_schema")
        engine = make_engine(url)
        yield Database(url, engine, make_session_factory(engine))
        with engine.begin() as conn:
            # DELETE, not TRUNCATE: a test leaves a few rows, and TRUNCATE of 65 tables
            # makes new files for each table and index (measured: ~280 ms per test against
            # ~20 ms). Foreign keys are not checked meanwhile (any order, cycles too).
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            for name in _EMPTIED:
                conn.execute(text(f'DELETE FROM "{name}"'))
            # The audit chain restarts from its genesis hash, as after the migration.
            conn.execute(
                text("UPDATE audit_chain_head SET last_sequence = 0, last_hash = :zeros"),
                {"zeros": "0" * 64},
            )
        engine.dispose()
    else:
        template: Path = request.getfixturevalue("_sqlite_template")
        path = tmp_path / "salesdev.db"
        shutil.copyfile(template, path)
        url = f"sqlite:///{path}"
        engine = make_engine(url)
        yield Database(url, engine, make_session_factory(engine))
        engine.dispose()


@pytest.fixture
def session(database: Database) -> Iterator[Session]:
    with database.session_factory() as session:
        yield session


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def settings(database: Database, tmp_path: Path) -> Settings:
    return Settings(environment="test", data_dir=tmp_path / "var", database_url=database.url)


@pytest.fixture
def runtime(settings: Settings, database: Database, clock: FixedClock) -> Iterator[Runtime]:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    rt = Runtime(
        settings=settings,
        engine=database.engine,
        session_factory=database.session_factory,
        clock=clock,
    )
    yield rt
    for service in rt.services.values():
        stop = getattr(service, "stop", None)
        if callable(stop):
            stop()


@dataclass(frozen=True)
class _DemoTemplate:
    database: Path
    data_dir: Path  # the event store and the compensation runs' lineage
    summary: DemoSummary


DemoLoader = Callable[[Runtime, str, int], DemoSummary]


@pytest.fixture(scope="session")
def load_demo_copy(_sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> DemoLoader:
    """Load a demo (scale, seed) into a test's runtime as of its clock's time.

    On SQLite each demo is loaded once per test session into a file and a data directory
    (the event store, the runs' lineage), then copied for each test: loading the small demo
    took ~10 s of each browser test, the tiny one ~7 s of each console test. On PostgreSQL
    it is loaded for each test, and so it is on SQLite into a database a fixture has
    already written to (the copy would replace its rows): ask for the demo first."""
    made: dict[tuple[str, int, datetime], _DemoTemplate] = {}

    def template(scale: str, seed: int, now: datetime) -> _DemoTemplate:
        key = (scale, seed, now)
        if key not in made:
            directory = tmp_path_factory.mktemp("demo")
            database = directory / "salesdev.db"
            shutil.copyfile(_sqlite_template, database)
            engine = make_engine(f"sqlite:///{database}")
            try:
                with unit_of_work(make_session_factory(engine)) as session:
                    summary = load_demo(
                        session=session,
                        event_store_dir=directory / "var" / "events",
                        scale=scale,
                        seed=seed,
                        now=now,
                    )
            finally:
                engine.dispose()  # the last connection closed: the WAL is in the file
            made[key] = _DemoTemplate(database, directory / "var", summary)
        return made[key]

    def load(runtime: Runtime, scale: str, seed: int) -> DemoSummary:
        now = runtime.clock.now()
        if runtime.engine.dialect.name != "sqlite" or not _untouched(runtime):
            with unit_of_work(runtime.session_factory) as session:
                return load_demo(
                    session=session,
                    event_store_dir=runtime.settings.event_store_dir,
                    scale=scale,
                    seed=seed,
                    now=now,
                )
        copy = template(scale, seed, now)
        target = Path(str(runtime.engine.url.database))
        runtime.engine.dispose()
        for leftover in (Path(f"{target}-wal"), Path(f"{target}-shm")):
            leftover.unlink(missing_ok=True)
        shutil.copyfile(copy.database, target)
        shutil.copytree(copy.data_dir, runtime.settings.data_dir, dirs_exist_ok=True)
        return copy.summary

    return load


def _untouched(runtime: Runtime) -> bool:
    """Nothing written since the migrations: every write of business data is audited."""
    with runtime.engine.connect() as connection:
        written = connection.execute(text("SELECT last_sequence FROM audit_chain_head")).scalar()
    return not written
