"""disputes, adjustments, draws, holds, period approvals and payout batches

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27 01:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import salesdev.db.types

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "comp_adjustment",
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("payee_kind", sa.String(length=16), nullable=False),
        sa.Column("payee_id", sa.Uuid(), nullable=False),
        sa.Column("component_id", sa.String(length=64), nullable=True),
        sa.Column("amount", salesdev.db.types.Amount(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("decided_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decision_comment", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comp_adjustment")),
    )
    with op.batch_alter_table("comp_adjustment", schema=None) as batch_op:
        batch_op.create_index("ix_comp_adjustment_payee", ["period", "payee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_comp_adjustment_status"), ["status"], unique=False)

    op.create_table(
        "comp_draw",
        sa.Column("payee_kind", sa.String(length=16), nullable=False),
        sa.Column("payee_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("amount", salesdev.db.types.Amount(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("period_from", sa.String(length=7), nullable=False),
        sa.Column("period_to", sa.String(length=7), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comp_draw")),
    )
    with op.batch_alter_table("comp_draw", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_comp_draw_payee_id"), ["payee_id"], unique=False)

    op.create_table(
        "comp_hold",
        sa.Column("payee_kind", sa.String(length=16), nullable=False),
        sa.Column("payee_id", sa.Uuid(), nullable=False),
        sa.Column("component_id", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("held_by", sa.String(length=200), nullable=False),
        sa.Column("held_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("released_by", sa.String(length=200), nullable=True),
        sa.Column("released_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("release_reason", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comp_hold")),
    )
    with op.batch_alter_table("comp_hold", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_comp_hold_payee_id"), ["payee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_comp_hold_status"), ["status"], unique=False)

    op.create_table(
        "comp_payout_batch",
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("line_count", sa.Integer(), nullable=False),
        sa.Column("totals", sa.JSON(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comp_payout_batch")),
        sa.UniqueConstraint("period", "sequence", name=op.f("uq_comp_payout_batch_period")),
    )
    op.create_table(
        "comp_settlement_period",
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("closed_by", sa.String(length=200), nullable=True),
        sa.Column("closed_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_ledger_version", sa.Integer(), nullable=True),
        sa.Column("approved_by", sa.String(length=200), nullable=True),
        sa.Column("approved_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("locked_by", sa.String(length=200), nullable=True),
        sa.Column("locked_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comp_settlement_period")),
        sa.UniqueConstraint("period", name=op.f("uq_comp_settlement_period_period")),
    )
    with op.batch_alter_table("comp_settlement_period", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_comp_settlement_period_status"), ["status"], unique=False
        )

    op.create_table(
        "comp_dispute",
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("payee_kind", sa.String(length=16), nullable=False),
        sa.Column("payee_id", sa.Uuid(), nullable=False),
        sa.Column("component_id", sa.String(length=64), nullable=False),
        sa.Column("product_family", sa.String(length=32), nullable=True),
        sa.Column("basis", sa.String(length=16), nullable=False),
        sa.Column("line_amount", salesdev.db.types.Amount(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("raised_by", sa.String(length=200), nullable=False),
        sa.Column("adjustment_id", sa.Uuid(), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["adjustment_id"],
            ["comp_adjustment.id"],
            name=op.f("fk_comp_dispute_adjustment_id_comp_adjustment"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comp_dispute")),
    )
    with op.batch_alter_table("comp_dispute", schema=None) as batch_op:
        batch_op.create_index("ix_comp_dispute_payee", ["period", "payee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_comp_dispute_status"), ["status"], unique=False)

    op.create_table(
        "comp_payout_line",
        sa.Column("batch_id", sa.Uuid(), nullable=False),
        sa.Column("earning_period", sa.String(length=7), nullable=False),
        sa.Column("payee_kind", sa.String(length=16), nullable=False),
        sa.Column("payee_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("component_id", sa.String(length=64), nullable=True),
        sa.Column("adjustment_id", sa.Uuid(), nullable=True),
        sa.Column("draw_id", sa.Uuid(), nullable=True),
        sa.Column("ledger_version", sa.Integer(), nullable=True),
        sa.Column("amount", salesdev.db.types.Amount(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["adjustment_id"],
            ["comp_adjustment.id"],
            name=op.f("fk_comp_payout_line_adjustment_id_comp_adjustment"),
        ),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["comp_payout_batch.id"],
            name=op.f("fk_comp_payout_line_batch_id_comp_payout_batch"),
        ),
        sa.ForeignKeyConstraint(
            ["draw_id"], ["comp_draw.id"], name=op.f("fk_comp_payout_line_draw_id_comp_draw")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comp_payout_line")),
    )
    with op.batch_alter_table("comp_payout_line", schema=None) as batch_op:
        batch_op.create_index("ix_comp_payout_line_batch_id", ["batch_id"], unique=False)
        batch_op.create_index(
            "ix_comp_payout_line_payee", ["earning_period", "payee_id"], unique=False
        )

    op.create_table(
        "comp_settlement_period_event",
        sa.Column("period_id", sa.Uuid(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=False),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("occurred_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["period_id"],
            ["comp_settlement_period.id"],
            name=op.f("fk_comp_settlement_period_event_period_id_comp_settlement_period"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comp_settlement_period_event")),
        sa.UniqueConstraint(
            "period_id", "sequence", name=op.f("uq_comp_settlement_period_event_period_id")
        ),
    )
    op.create_table(
        "comp_dispute_entry",
        sa.Column("dispute_id", sa.Uuid(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("occurred_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dispute_id"],
            ["comp_dispute.id"],
            name=op.f("fk_comp_dispute_entry_dispute_id_comp_dispute"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comp_dispute_entry")),
        sa.UniqueConstraint(
            "dispute_id", "sequence", name=op.f("uq_comp_dispute_entry_dispute_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("comp_dispute_entry")
    op.drop_table("comp_settlement_period_event")
    with op.batch_alter_table("comp_payout_line", schema=None) as batch_op:
        batch_op.drop_index("ix_comp_payout_line_payee")
        batch_op.drop_index("ix_comp_payout_line_batch_id")

    op.drop_table("comp_payout_line")
    with op.batch_alter_table("comp_dispute", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_comp_dispute_status"))
        batch_op.drop_index("ix_comp_dispute_payee")

    op.drop_table("comp_dispute")
    with op.batch_alter_table("comp_settlement_period", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_comp_settlement_period_status"))

    op.drop_table("comp_settlement_period")
    op.drop_table("comp_payout_batch")
    with op.batch_alter_table("comp_hold", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_comp_hold_status"))
        batch_op.drop_index(batch_op.f("ix_comp_hold_payee_id"))

    op.drop_table("comp_hold")
    with op.batch_alter_table("comp_draw", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_comp_draw_payee_id"))

    op.drop_table("comp_draw")
    with op.batch_alter_table("comp_adjustment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_comp_adjustment_status"))
        batch_op.drop_index("ix_comp_adjustment_payee")

    op.drop_table("comp_adjustment")
