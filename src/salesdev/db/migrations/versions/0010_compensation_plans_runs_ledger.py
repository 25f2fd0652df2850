"""compensation plans, versions, assignments, quotas, hierarchy history, runs and the ledger

The ledger (``ledger_version``, ``ledger_entry``) is append-only at the database level
too: triggers refuse any UPDATE or DELETE, like the audit trail's.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 01:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import salesdev.db.types

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY = ("ledger_version", "ledger_entry")


def upgrade() -> None:
    op.create_table(
        "compensation_plan",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("payee_type", sa.String(length=16), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("latest_version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compensation_plan")),
        sa.UniqueConstraint("code", name=op.f("uq_compensation_plan_code")),
    )
    op.create_table(
        "compensation_quota",
        sa.Column("payee_kind", sa.String(length=16), nullable=False),
        sa.Column("payee_id", sa.Uuid(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("amount", salesdev.db.types.Amount(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compensation_quota")),
        sa.UniqueConstraint("payee_id", "period", name=op.f("uq_compensation_quota_payee_id")),
    )
    with op.batch_alter_table("compensation_quota", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_compensation_quota_period"), ["period"], unique=False)

    op.create_table(
        "compensation_run",
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("job_id", sa.Uuid(), nullable=True),
        sa.Column("requested_by", sa.String(length=200), nullable=False),
        sa.Column("progress_done", sa.Integer(), nullable=False),
        sa.Column("progress_total", sa.Integer(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("ledger_version", sa.Integer(), nullable=True),
        sa.Column("plans", sa.JSON(), nullable=False),
        sa.Column("totals", sa.JSON(), nullable=False),
        sa.Column("line_count", sa.Integer(), nullable=False),
        sa.Column("event_count", sa.Integer(), nullable=False),
        sa.Column("rejected_count", sa.Integer(), nullable=False),
        sa.Column("preview", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("started_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compensation_run")),
    )
    with op.batch_alter_table("compensation_run", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_compensation_run_period"), ["period"], unique=False)
        batch_op.create_index(batch_op.f("ix_compensation_run_status"), ["status"], unique=False)

    op.create_table(
        "hierarchy_link",
        sa.Column("relation", sa.String(length=16), nullable=False),
        sa.Column("payee_id", sa.Uuid(), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=False),
        sa.Column("valid_from", salesdev.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("valid_to", salesdev.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hierarchy_link")),
    )
    with op.batch_alter_table("hierarchy_link", schema=None) as batch_op:
        batch_op.create_index(
            "ix_hierarchy_link_lookup", ["relation", "payee_id", "valid_from"], unique=False
        )

    op.create_table(
        "compensation_plan_version",
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("effective_from", sa.String(length=7), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("submitted_by", sa.String(length=200), nullable=True),
        sa.Column("submitted_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("approved_by", sa.String(length=200), nullable=True),
        sa.Column("approved_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("superseded_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["compensation_plan.id"],
            name=op.f("fk_compensation_plan_version_plan_id_compensation_plan"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compensation_plan_version")),
        sa.UniqueConstraint("plan_id", "number", name=op.f("uq_compensation_plan_version_plan_id")),
    )
    with op.batch_alter_table("compensation_plan_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_compensation_plan_version_state"), ["state"], unique=False
        )

    op.create_table(
        "compensation_rejected_event",
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.String(length=128), nullable=False),
        sa.Column("event_type", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["compensation_run.id"],
            name=op.f("fk_compensation_rejected_event_run_id_compensation_run"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compensation_rejected_event")),
    )
    with op.batch_alter_table("compensation_rejected_event", schema=None) as batch_op:
        batch_op.create_index(
            "ix_compensation_rejected_event_run", ["run_id", "event_id"], unique=False
        )

    op.create_table(
        "ledger_version",
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("line_count", sa.Integer(), nullable=False),
        sa.Column("totals", sa.JSON(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["compensation_run.id"],
            name=op.f("fk_ledger_version_run_id_compensation_run"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_version")),
        sa.UniqueConstraint("period", "number", name=op.f("uq_ledger_version_period")),
    )
    op.create_table(
        "plan_assignment",
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("valid_from", salesdev.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("valid_to", salesdev.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["compensation_plan.id"],
            name=op.f("fk_plan_assignment_plan_id_compensation_plan"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_assignment")),
    )
    with op.batch_alter_table("plan_assignment", schema=None) as batch_op:
        batch_op.create_index(
            "ix_plan_assignment_lookup", ["plan_id", "scope", "target"], unique=False
        )

    op.create_table(
        "ledger_entry",
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("ledger_version", sa.Integer(), nullable=False),
        sa.Column("ledger_version_id", sa.Uuid(), nullable=False),
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("plan_code", sa.String(length=64), nullable=False),
        sa.Column("plan_version", sa.Integer(), nullable=False),
        sa.Column("payee_kind", sa.String(length=16), nullable=False),
        sa.Column("payee_id", sa.Uuid(), nullable=False),
        sa.Column("component_id", sa.String(length=64), nullable=False),
        sa.Column("component_kind", sa.String(length=32), nullable=False),
        sa.Column("product_family", sa.String(length=64), nullable=True),
        sa.Column("basis", sa.String(length=32), nullable=False),
        sa.Column("measure", salesdev.db.types.Amount(), nullable=False),
        sa.Column("event_count", sa.Integer(), nullable=False),
        sa.Column("quota", salesdev.db.types.Amount(), nullable=True),
        sa.Column("tier", sa.Integer(), nullable=True),
        sa.Column("rate", salesdev.db.types.ExactDecimal(scale=6, precision=12), nullable=True),
        sa.Column("unit_amount", salesdev.db.types.Amount(), nullable=True),
        sa.Column("gated", sa.Boolean(), nullable=False),
        sa.Column("capped", sa.Boolean(), nullable=False),
        sa.Column("floored", sa.Boolean(), nullable=False),
        sa.Column("amount", salesdev.db.types.Amount(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("created_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ledger_version_id"],
            ["ledger_version.id"],
            name=op.f("fk_ledger_entry_ledger_version_id_ledger_version"),
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["compensation_run.id"],
            name=op.f("fk_ledger_entry_run_id_compensation_run"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_entry")),
    )
    with op.batch_alter_table("ledger_entry", schema=None) as batch_op:
        batch_op.create_index("ix_ledger_entry_run", ["run_id", "payee_id"], unique=False)
        batch_op.create_index(
            "ix_ledger_entry_version", ["period", "ledger_version", "payee_id"], unique=False
        )
    _append_only_triggers()


def _append_only_triggers() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in APPEND_ONLY:
            for verb in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'the compensation ledger is append-only'); END"
                )
        return
    op.execute(
        "CREATE FUNCTION compensation_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'the compensation ledger is append-only'; END $$"
    )
    for table in APPEND_ONLY:
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION compensation_ledger_append_only()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in APPEND_ONLY:
            for verb in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
    else:
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute("DROP FUNCTION IF EXISTS compensation_ledger_append_only()")
    for table in (
        "ledger_entry",
        "plan_assignment",
        "ledger_version",
        "compensation_rejected_event",
        "compensation_plan_version",
        "hierarchy_link",
        "compensation_run",
        "compensation_quota",
        "compensation_plan",
    ):
        op.drop_table(table)
