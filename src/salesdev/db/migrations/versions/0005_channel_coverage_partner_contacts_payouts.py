"""sales channel coverage and cost-to-serve, partner contacts and payout details

The channel's new columns are added in place (not a batch copy on SQLite: other tables
refer to sales_channel). Existing channels serve no listed segment or region yet and
have no assessed cost-to-serve.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import salesdev.db.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "sales_channel",
        sa.Column("segments_served", sa.String(length=200), nullable=False, server_default=""),
    )
    op.add_column(
        "sales_channel",
        sa.Column("regions_served", sa.Text(), nullable=False, server_default=""),
    )
    op.add_column(
        "sales_channel",
        sa.Column(
            "cost_to_serve_percent",
            salesdev.db.types.ExactDecimal(scale=4, precision=7),
            nullable=True,
        ),
    )

    op.create_table(
        "partner_contact",
        sa.Column("partner_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("is_primary", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partner.id"], name=op.f("fk_partner_contact_partner_id_partner")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_contact")),
    )
    with op.batch_alter_table("partner_contact", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_partner_contact_partner_id"), ["partner_id"], unique=False
        )
        batch_op.create_index(
            "uq_partner_contact_primary",
            ["partner_id"],
            unique=True,
            sqlite_where=sa.text("is_primary"),
            postgresql_where=sa.text("is_primary"),
        )

    op.create_table(
        "partner_payout",
        sa.Column("partner_id", sa.Uuid(), nullable=False),
        sa.Column("payee_name", sa.String(length=200), nullable=False),
        sa.Column("iban", sa.String(length=34), nullable=False),
        sa.Column("bic", sa.String(length=11), nullable=True),
        sa.Column("tax_id", sa.String(length=32), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("payment_terms_days", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partner.id"], name=op.f("fk_partner_payout_partner_id_partner")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_payout")),
        sa.UniqueConstraint("partner_id", name=op.f("uq_partner_payout_partner_id")),
    )


def downgrade() -> None:
    op.drop_table("partner_payout")
    with op.batch_alter_table("partner_contact", schema=None) as batch_op:
        batch_op.drop_index("uq_partner_contact_primary")
        batch_op.drop_index(batch_op.f("ix_partner_contact_partner_id"))
    op.drop_table("partner_contact")
    op.drop_column("sales_channel", "cost_to_serve_percent")
    op.drop_column("sales_channel", "regions_served")
    op.drop_column("sales_channel", "segments_served")
