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
from contextlib import ExitStack, contextmanager
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
    # The tests marked slow run first (the order is otherwise kept): with -n 2 the two
    # workers share them out at the start, instead of one worker finishing on a long test
    # while the other has nothing left (the Spark test last made for a tail of ~45 s).
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def _postgres_schema() -> Iterator[str]:
    with _migrated_postgres_schema() as (_, url):
        yield url


@contextmanager
def _migrated_postgres_schema() -> Iterator[tuple[str, str]]:
    """A new schema migrated to head, dropped on leaving: its name and a URL working in it."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = _with_search_path(POSTGRES_URL, schema)
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield schema, url
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _with_search_path(url: str, schema: str) -> str:
    # Commits do not wait for the WAL to reach the disk: a crash of the test server loses
    # nothing a test needs, and every test commits many times.
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}%20-csynchronous_commit%3Doff"


_TABLES = [t.name for t in Base.metadata.sorted_tables]
# DELETE, not TRUNCATE: a test leaves a few rows, and TRUNCATE of 65 tables makes new files
# for each table and index (measured: ~280 ms per test against ~20 ms). Foreign keys and
# the append-only triggers do not fire meanwhile (any order, cycles too). The audit chain
# restarts from its genesis hash, as after the migration. One round trip for all of it
# (65 statements one by one took ~20 ms, together ~3 ms).
_EMPTY_SCHEMA = "SET LOCAL session_replication_role = replica; " + "".join(
    [f'DELETE FROM "{name}"; ' for name in _TABLES if name != "audit_chain_head"]
    + [f"UPDATE audit_chain_head SET last_sequence = 0, last_hash = '{'0' * 64}'"]
)


@pytest.fixture
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if POSTGRES_URL:
        url = request.getfixturevalue("_postgres_schema")
        engine = make_engine(url)
        yield Database(url, engine, make_session_factory(engine))
        with engine.begin() as conn:
            conn.exec_driver_sql(_EMPTY_SCHEMA)
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
    database: str  # SQLite: the file; PostgreSQL: the schema
    data_dir: Path  # the event store and the compensation runs' lineage
    summary: DemoSummary


DemoLoader = Callable[[Runtime, str, int], DemoSummary]


@pytest.fixture(scope="session")
def load_demo_copy(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DemoLoader]:
    """Load a demo (scale, seed) into a test's runtime as of its clock's time.

    Each demo is loaded once per test session, then copied for each test: on SQLite its
    database file, on PostgreSQL the rows of a schema of its own (INSERT ... SELECT, ~0.1 s
    for the tiny demo, against ~7 s to load it), and the data directory (the event store,
    the runs' lineage). Loading the small demo took ~10 s of each browser test, the tiny
    one ~7 s of each console test. Into a database a fixture has already written to, the
    demo is loaded (a copy would replace its rows): ask for the demo first."""
    made: dict[tuple[str, int, datetime], _DemoTemplate] = {}
    sqlite_template: Path | None = (
        None if POSTGRES_URL else request.getfixturevalue("_sqlite_template")
    )

    with ExitStack() as schemas:

        def template(scale: str, seed: int, now: datetime) -> _DemoTemplate:
            key = (scale, seed, now)
            if key not in made:
                directory = tmp_path_factory.mktemp("demo")
                if sqlite_template is None:
                    database, url = schemas.enter_context(_migrated_postgres_schema())
                else:
                    database = str(directory / "salesdev.db")
                    shutil.copyfile(sqlite_template, database)
                    url = f"sqlite:///{database}"
                engine = make_engine(url)
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
                    engine.dispose()  # SQLite: the last connection closed, the WAL is in the file
                made[key] = _DemoTemplate(database, directory / "var", summary)
            return made[key]

        def load(runtime: Runtime, scale: str, seed: int) -> DemoSummary:
            now = runtime.clock.now()
            if not _untouched(runtime):
                with unit_of_work(runtime.session_factory) as session:
                    return load_demo(
                        session=session,
                        event_store_dir=runtime.settings.event_store_dir,
                        scale=scale,
                        seed=seed,
                        now=now,
                    )
            copy = template(scale, seed, now)
            if runtime.engine.dialect.name == "sqlite":
                target = Path(str(runtime.engine.url.database))
                runtime.engine.dispose()
                for leftover in (Path(f"{target}-wal"), Path(f"{target}-shm")):
                    leftover.unlink(missing_ok=True)
                shutil.copyfile(copy.database, target)
            else:
                _copy_rows(runtime.engine, copy.database)
            shutil.copytree(copy.data_dir, runtime.settings.data_dir, dirs_exist_ok=True)
            return copy.summary

        yield load


def _copy_rows(engine: Engine, schema: str) -> None:
    """Make every table of ``engine``'s schema hold the rows of ``schema`` (PostgreSQL; both
    migrated to head, so their columns are in the same order). As when the database
    fixture empties a schema, neither foreign keys nor the append-only triggers fire."""
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "SET LOCAL session_replication_role = replica; "
            + "".join(
                f'DELETE FROM "{name}"; INSERT INTO "{name}" SELECT * FROM "{schema}"."{name}"; '
                for name in _TABLES
            )
        )


def _untouched(runtime: Runtime) -> bool:
    """Nothing written since the migrations: every write of business data is audited."""
    with runtime.engine.connect() as connection:
        written = connection.execute(text("SELECT last_sequence FROM audit_chain_head")).scalar()
    return not written
