"""channel price lists, versions, entries, pricing rules and guard-rails

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 01:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import salesdev.db.types

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "price_list",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("channel_id", sa.Uuid(), nullable=False),
        sa.Column("partner_tier", sa.String(length=16), nullable=True),
        sa.Column("market_segment", sa.String(length=32), nullable=True),
        sa.Column("region_id", sa.Uuid(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("scope_key", sa.String(length=200), nullable=False),
        sa.Column("latest_number", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["sales_channel.id"],
            name=op.f("fk_price_list_channel_id_sales_channel"),
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["region.id"], name=op.f("fk_price_list_region_id_region")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_price_list")),
        sa.UniqueConstraint("scope_key", name=op.f("uq_price_list_scope_key")),
    )
    with op.batch_alter_table("price_list", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_price_list_channel_id"), ["channel_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_price_list_region_id"), ["region_id"], unique=False)

    op.create_table(
        "price_guard_rail",
        sa.Column("channel_id", sa.Uuid(), nullable=False),
        sa.Column("product_offering_id", sa.Uuid(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("floor_recurring_amount", salesdev.db.types.Amount(), nullable=True),
        sa.Column("floor_one_time_amount", salesdev.db.types.Amount(), nullable=True),
        sa.Column(
            "floor_percent", salesdev.db.types.ExactDecimal(scale=4, precision=9), nullable=True
        ),
        sa.Column(
            "max_discount_percent",
            salesdev.db.types.ExactDecimal(scale=4, precision=9),
            nullable=True,
        ),
        sa.Column(
            "min_margin_percent",
            salesdev.db.types.ExactDecimal(scale=4, precision=9),
            nullable=True,
        ),
        sa.Column("valid_from", salesdev.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("valid_to", salesdev.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["sales_channel.id"],
            name=op.f("fk_price_guard_rail_channel_id_sales_channel"),
        ),
        sa.ForeignKeyConstraint(
            ["product_offering_id"],
            ["product_offering.id"],
            name=op.f("fk_price_guard_rail_product_offering_id_product_offering"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_price_guard_rail")),
    )
    with op.batch_alter_table("price_guard_rail", schema=None) as batch_op:
        batch_op.create_index(
            "ix_price_guard_rail_lookup",
            ["channel_id", "product_offering_id", "valid_from"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_price_guard_rail_product_offering_id"),
            ["product_offering_id"],
            unique=False,
        )

    op.create_table(
        "price_list_version",
        sa.Column("price_list_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("valid_from", salesdev.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("valid_to", salesdev.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("copied_from_id", sa.Uuid(), nullable=True),
        sa.Column("submitted_by", sa.String(length=200), nullable=True),
        sa.Column("submitted_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("decided_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["copied_from_id"],
            ["price_list_version.id"],
            name=op.f("fk_price_list_version_copied_from_id_price_list_version"),
        ),
        sa.ForeignKeyConstraint(
            ["price_list_id"],
            ["price_list.id"],
            name=op.f("fk_price_list_version_price_list_id_price_list"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_price_list_version")),
        sa.UniqueConstraint(
            "price_list_id", "number", name=op.f("uq_price_list_version_price_list_id")
        ),
    )
    with op.batch_alter_table("price_list_version", schema=None) as batch_op:
        batch_op.create_index(
            "ix_price_list_version_in_force",
            ["price_list_id", "status", "valid_from"],
            unique=False,
        )

    op.create_table(
        "price_list_entry",
        sa.Column("version_id", sa.Uuid(), nullable=False),
        sa.Column("product_offering_id", sa.Uuid(), nullable=False),
        sa.Column("recurring_amount", salesdev.db.types.Amount(), nullable=True),
        sa.Column("one_time_amount", salesdev.db.types.Amount(), nullable=True),
        sa.Column("unit_cost", salesdev.db.types.Amount(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_offering_id"],
            ["product_offering.id"],
            name=op.f("fk_price_list_entry_product_offering_id_product_offering"),
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["price_list_version.id"],
            name=op.f("fk_price_list_entry_version_id_price_list_version"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_price_list_entry")),
        sa.UniqueConstraint(
            "version_id", "product_offering_id", name=op.f("uq_price_list_entry_version_id")
        ),
    )
    with op.batch_alter_table("price_list_entry", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_price_list_entry_product_offering_id"),
            ["product_offering_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_price_list_entry_version_id"), ["version_id"], unique=False
        )

    op.create_table(
        "pricing_rule",
        sa.Column("version_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("value", salesdev.db.types.ExactDecimal(scale=4, precision=19), nullable=False),
        sa.Column("applies_to", sa.String(length=16), nullable=False),
        sa.Column("target", sa.String(length=16), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=True),
        sa.Column("offering_ids", sa.JSON(), nullable=False),
        sa.Column("condition", sa.JSON(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("stacking", sa.String(length=16), nullable=False),
        sa.Column("valid_from", salesdev.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("valid_to", salesdev.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["family_id"],
            ["product_family.id"],
            name=op.f("fk_pricing_rule_family_id_product_family"),
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["price_list_version.id"],
            name=op.f("fk_pricing_rule_version_id_price_list_version"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pricing_rule")),
        sa.UniqueConstraint("version_id", "name", name=op.f("uq_pricing_rule_version_id")),
    )
    with op.batch_alter_table("pricing_rule", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pricing_rule_version_id"), ["version_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("pricing_rule", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pricing_rule_version_id"))

    op.drop_table("pricing_rule")
    with op.batch_alter_table("price_list_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_price_list_entry_version_id"))
        batch_op.drop_index(batch_op.f("ix_price_list_entry_product_offering_id"))

    op.drop_table("price_list_entry")
    with op.batch_alter_table("price_list_version", schema=None) as batch_op:
        batch_op.drop_index("ix_price_list_version_in_force")

    op.drop_table("price_list_version")
    with op.batch_alter_table("price_guard_rail", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_price_guard_rail_product_offering_id"))
        batch_op.drop_index("ix_price_guard_rail_lookup")

    op.drop_table("price_guard_rail")
    with op.batch_alter_table("price_list", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_price_list_region_id"))
        batch_op.drop_index(batch_op.f("ix_price_list_channel_id"))

    op.drop_table("price_list")
