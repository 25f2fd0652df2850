"""recommendation rules for guided selling

Price-change simulations are computed on demand from the event store and keep no table.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 01:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import salesdev.db.types

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "recommendation_rule",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("condition", sa.JSON(), nullable=False),
        sa.Column("product_offering_id", sa.Uuid(), nullable=True),
        sa.Column("family_id", sa.Uuid(), nullable=True),
        sa.Column("score", salesdev.db.types.ExactDecimal(scale=4, precision=9), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("valid_from", salesdev.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("valid_to", salesdev.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(product_offering_id IS NULL) <> (family_id IS NULL)",
            name=op.f("ck_recommendation_rule_one_target"),
        ),
        sa.ForeignKeyConstraint(
            ["family_id"],
            ["product_family.id"],
            name=op.f("fk_recommendation_rule_family_id_product_family"),
        ),
        sa.ForeignKeyConstraint(
            ["product_offering_id"],
            ["product_offering.id"],
            name=op.f("fk_recommendation_rule_product_offering_id_product_offering"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendation_rule")),
        sa.UniqueConstraint("name", name=op.f("uq_recommendation_rule_name")),
    )
    with op.batch_alter_table("recommendation_rule", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recommendation_rule_family_id"), ["family_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_recommendation_rule_product_offering_id"),
            ["product_offering_id"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_recommendation_rule_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("recommendation_rule", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recommendation_rule_status"))
        batch_op.drop_index(batch_op.f("ix_recommendation_rule_product_offering_id"))
        batch_op.drop_index(batch_op.f("ix_recommendation_rule_family_id"))
    op.drop_table("recommendation_rule")
