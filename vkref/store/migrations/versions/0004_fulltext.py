"""local full texts: the attached file of a review, its passages, a finding's marked place in the text

Revision ID: 0004
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ADD COLUMN, never batch mode (see 0002)
    op.add_column('review', sa.Column('fulltext_file', sa.String(length=120), nullable=False, server_default=''))
    op.add_column('finding', sa.Column('locator', sa.JSON(), nullable=True))
    op.create_table('passage',
    sa.Column('id', sa.String(length=120), nullable=False),
    sa.Column('review_id', sa.String(length=100), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('section', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('start', sa.Integer(), nullable=False),
    sa.Column('end', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['review_id'], ['review.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_passage_review_id', 'passage', ['review_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_passage_review_id', table_name='passage')
    op.drop_table('passage')
    op.drop_column('finding', 'locator')
    op.drop_column('review', 'fulltext_file')
