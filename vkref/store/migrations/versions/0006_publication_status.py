"""publication status of a review (retracted, expression of concern, corrected) and a finding's retracted-source flag

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ADD COLUMN (see 0002): batch mode would re-create review and cascade-delete its findings
    op.add_column('review', sa.Column('status', sa.String(length=40), nullable=False, server_default=''))
    op.add_column('review', sa.Column('status_date', sa.String(length=20), nullable=False, server_default=''))
    op.add_column('review', sa.Column('status_note', sa.Text(), nullable=False, server_default=''))
    op.add_column('review', sa.Column('status_notice', sa.Text(), nullable=False, server_default=''))
    op.add_column('finding', sa.Column('source_retracted', sa.Boolean(), nullable=False,
                                       server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.drop_column('source_retracted')
    with op.batch_alter_table('review', schema=None) as batch_op:
        for name in ('status_notice', 'status_note', 'status_date', 'status'):
            batch_op.drop_column(name)
