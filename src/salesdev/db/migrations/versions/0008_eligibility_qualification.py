"""eligibility rules, the rules generation token and product offering qualifications (TMF679)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 01:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import salesdev.db.types

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rules_generation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=36), nullable=False),
        sa.Column("changed_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rules_generation")),
    )
    op.create_table(
        "eligibility_rule",
        sa.Column("code", sa.String(length=48), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("applies_to", sa.String(length=16), nullable=False),
        sa.Column("product_offering_id", sa.Uuid(), nullable=True),
        sa.Column("product_family_id", sa.Uuid(), nullable=True),
        sa.Column("condition", sa.JSON(), nullable=False),
        sa.Column("reason_code", sa.String(length=48), nullable=False),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.Column("valid_from", salesdev.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("valid_to", salesdev.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_family_id"],
            ["product_family.id"],
            name=op.f("fk_eligibility_rule_product_family_id_product_family"),
        ),
        sa.ForeignKeyConstraint(
            ["product_offering_id"],
            ["product_offering.id"],
            name=op.f("fk_eligibility_rule_product_offering_id_product_offering"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eligibility_rule")),
        sa.UniqueConstraint("code", name=op.f("uq_eligibility_rule_code")),
    )
    with op.batch_alter_table("eligibility_rule", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_eligibility_rule_product_family_id"), ["product_family_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_eligibility_rule_product_offering_id"),
            ["product_offering_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_eligibility_rule_reason_code"), ["reason_code"], unique=False
        )

    op.create_table(
        "product_offering_qualification",
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("qualification_result", sa.String(length=24), nullable=False),
        sa.Column("channel_id", sa.Uuid(), nullable=False),
        sa.Column("partner_id", sa.Uuid(), nullable=True),
        sa.Column("customer_id", sa.Uuid(), nullable=True),
        sa.Column("premise_id", sa.Uuid(), nullable=True),
        sa.Column("instant_sync", sa.Boolean(), nullable=False),
        sa.Column("provide_alternative", sa.Boolean(), nullable=False),
        sa.Column("provide_only_available", sa.Boolean(), nullable=False),
        sa.Column("provide_unavailability_reason", sa.Boolean(), nullable=False),
        sa.Column("qualified_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expiration_date", salesdev.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("item_count", sa.Integer(), nullable=False),
        sa.Column("qualified_count", sa.Integer(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("requested_by", sa.String(length=200), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["sales_channel.id"],
            name=op.f("fk_product_offering_qualification_channel_id_sales_channel"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_product_offering_qualification_customer_id_customer"),
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partner.id"],
            name=op.f("fk_product_offering_qualification_partner_id_partner"),
        ),
        sa.ForeignKeyConstraint(
            ["premise_id"],
            ["premise.id"],
            name=op.f("fk_product_offering_qualification_premise_id_premise"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_offering_qualification")),
    )
    with op.batch_alter_table("product_offering_qualification", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_product_offering_qualification_channel_id"), ["channel_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_product_offering_qualification_customer_id"),
            ["customer_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_product_offering_qualification_partner_id"), ["partner_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_product_offering_qualification_premise_id"), ["premise_id"], unique=False
        )
        batch_op.create_index(
            "ix_product_offering_qualification_requester",
            ["requested_by", "created_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_product_offering_qualification_state"), ["state"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("product_offering_qualification", schema=None) as batch_op:
        for name in (
            "ix_product_offering_qualification_state",
            "ix_product_offering_qualification_requester",
            "ix_product_offering_qualification_premise_id",
            "ix_product_offering_qualification_partner_id",
            "ix_product_offering_qualification_customer_id",
            "ix_product_offering_qualification_channel_id",
        ):
            batch_op.drop_index(name)
    op.drop_table("product_offering_qualification")
    with op.batch_alter_table("eligibility_rule", schema=None) as batch_op:
        for name in (
            "ix_eligibility_rule_reason_code",
            "ix_eligibility_rule_product_offering_id",
            "ix_eligibility_rule_product_family_id",
        ):
            batch_op.drop_index(name)
    op.drop_table("eligibility_rule")
    op.drop_table("rules_generation")
