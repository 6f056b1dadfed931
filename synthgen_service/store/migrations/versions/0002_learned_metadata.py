"""Models keep the metadata they learned; dataset versions their suggested constraints.

A trained model completes its dataset version's metadata (ranges, decimals, id styles);
generate requests validate their conditions against this copy. Models trained before the
column existed keep it empty and are checked against their dataset version's metadata.
Dataset versions keep the constraints detected at upload; older versions keep it empty.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("models", schema=None) as batch_op:
        batch_op.add_column(sa.Column("learned_metadata", sa.JSON(), nullable=True))
    with op.batch_alter_table("dataset_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("suggested_constraints", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("dataset_versions", schema=None) as batch_op:
        batch_op.drop_column("suggested_constraints")
    with op.batch_alter_table("models", schema=None) as batch_op:
        batch_op.drop_column("learned_metadata")
