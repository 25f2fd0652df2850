"""stored split credit (compensation_credit_split)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-27 03:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import salesdev.db.types

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "compensation_credit_split",
        sa.Column("order_id", sa.String(length=128), nullable=False),
        sa.Column("payee_kind", sa.String(length=16), nullable=False),
        sa.Column("payee_id", sa.Uuid(), nullable=False),
        sa.Column("share", salesdev.db.types.ExactDecimal(scale=4, precision=5), nullable=False),
        sa.Column("policy", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compensation_credit_split")),
        sa.UniqueConstraint(
            "order_id", "payee_id", name=op.f("uq_compensation_credit_split_order_id")
        ),
    )
    with op.batch_alter_table("compensation_credit_split", schema=None) as batch_op:
        batch_op.create_index("ix_compensation_credit_split_order", ["order_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("compensation_credit_split", schema=None) as batch_op:
        batch_op.drop_index("ix_compensation_credit_split_order")

    op.drop_table("compensation_credit_split")
