"""customer age band and installed base (the attributes rules read)

The customer's age band is added in place (not a batch copy on SQLite: other tables
refer to customer). Existing customers have no age band and no installed base yet.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 01:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import salesdev.db.types

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("customer", sa.Column("age_band", sa.String(length=8), nullable=True))

    op.create_table(
        "installed_product",
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("product_offering_id", sa.Uuid(), nullable=False),
        sa.Column("premise_id", sa.Uuid(), nullable=True),
        sa.Column("valid_from", salesdev.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("valid_to", salesdev.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", salesdev.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_to > valid_from",
            name=op.f("ck_installed_product_valid_period"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_installed_product_customer_id_customer")
        ),
        sa.ForeignKeyConstraint(
            ["premise_id"], ["premise.id"], name=op.f("fk_installed_product_premise_id_premise")
        ),
        sa.ForeignKeyConstraint(
            ["product_offering_id"],
            ["product_offering.id"],
            name=op.f("fk_installed_product_product_offering_id_product_offering"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_installed_product")),
    )
    with op.batch_alter_table("installed_product", schema=None) as batch_op:
        batch_op.create_index(
            "ix_installed_product_customer_valid", ["customer_id", "valid_from"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_installed_product_premise_id"), ["premise_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_installed_product_product_offering_id"),
            ["product_offering_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("installed_product", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_installed_product_product_offering_id"))
        batch_op.drop_index(batch_op.f("ix_installed_product_premise_id"))
        batch_op.drop_index("ix_installed_product_customer_valid")
    op.drop_table("installed_product")
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.drop_column("age_band")
