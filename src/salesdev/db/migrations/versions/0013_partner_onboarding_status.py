"""partner status onboarding (pre-activation); customer.partner_id (partner customer scope)

Partners whose on-boarding case has not reached ``active`` were marked ``suspended`` (the
only status that stopped them selling); they become ``onboarding``, the pre-activation
status of the party-role vocabulary. ``customer.partner_id`` records the partner a customer
was acquired through or is assigned to: a partner user sells only to its partners'
customers.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-27 05:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FK = "fk_customer_partner_id_partner"


def upgrade() -> None:
    op.execute(
        "UPDATE partner SET status = 'onboarding' WHERE status = 'suspended' AND id IN "
        "(SELECT partner_id FROM onboarding_case WHERE state IN "
        "('application', 'due_diligence', 'agreement_negotiation', 'training'))"
    )
    # Not a batch (copy-and-rename) on SQLite: other tables refer to customer, and
    # dropping it to rename a copy would break their foreign keys.
    if op.get_bind().dialect.name == "sqlite":
        # Alembic would add the foreign key as a separate ALTER, which SQLite lacks.
        op.execute(
            f"ALTER TABLE customer ADD COLUMN partner_id CHAR(32) "
            f"CONSTRAINT {_FK} REFERENCES partner (id)"
        )
    else:
        op.add_column("customer", sa.Column("partner_id", sa.Uuid(), nullable=True))
        op.create_foreign_key(_FK, "customer", "partner", ["partner_id"], ["id"])
    op.create_index(op.f("ix_customer_partner_id"), "customer", ["partner_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_customer_partner_id"), table_name="customer")
    if op.get_bind().dialect.name == "sqlite":
        # SQLite cannot drop a column that is in a foreign key: copy the table without it.
        with op.batch_alter_table("customer", schema=None) as batch_op:
            batch_op.drop_column("partner_id")
    else:
        op.drop_constraint(_FK, "customer", type_="foreignkey")
        op.drop_column("customer", "partner_id")
    op.execute("UPDATE partner SET status = 'suspended' WHERE status = 'onboarding'")
