"""change batches, field-level history, record versions, review-level coding, distinct pairs

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ADD COLUMN, never batch mode: on SQLite batch mode re-creates the table, and dropping the old
    # review table would cascade-delete every finding while foreign keys are on
    op.add_column('review', sa.Column('mesh', sa.JSON(), nullable=False, server_default='[]'))
    op.add_column('review', sa.Column('aliases', sa.JSON(), nullable=False, server_default='[]'))
    op.add_column('review', sa.Column('concepts_suggested', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    op.add_column('review', sa.Column('version', sa.Integer(), nullable=False, server_default='1'))
    op.add_column('finding', sa.Column('version', sa.Integer(), nullable=False, server_default='1'))
    op.create_table('review_concept',
    sa.Column('review_id', sa.String(length=100), nullable=False),
    sa.Column('concept_id', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['concept_id'], ['concept.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['review_id'], ['review.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('review_id', 'concept_id')
    )
    op.create_index('ix_review_concept_concept', 'review_concept', ['concept_id'], unique=False)
    op.create_table('change_batch',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('label', sa.Text(), nullable=False),
    sa.Column('who', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['target_id'], ['change_batch.id']),
    sa.PrimaryKeyConstraint('id'),
    sqlite_autoincrement=True
    )
    op.create_table('change',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('entity', sa.String(length=20), nullable=False),
    sa.Column('entity_id', sa.String(length=100), nullable=False),
    sa.Column('field', sa.String(length=60), nullable=False),
    sa.Column('old', sa.Text(), nullable=True),
    sa.Column('new', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['change_batch.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sqlite_autoincrement=True
    )
    op.create_index('ix_change_batch_id', 'change', ['batch_id'], unique=False)
    op.create_index('ix_change_entity', 'change', ['entity', 'entity_id'], unique=False)
    op.create_table('distinct_pair',
    sa.Column('a_id', sa.String(length=100), nullable=False),
    sa.Column('b_id', sa.String(length=100), nullable=False),
    sa.Column('who', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('a_id', 'b_id')
    )


def downgrade() -> None:
    op.drop_table('distinct_pair')
    op.drop_index('ix_change_entity', table_name='change')
    op.drop_index('ix_change_batch_id', table_name='change')
    op.drop_table('change')
    op.drop_table('change_batch')
    op.drop_index('ix_review_concept_concept', table_name='review_concept')
    op.drop_table('review_concept')
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.drop_column('version')
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.drop_column('version')
        batch_op.drop_column('concepts_suggested')
        batch_op.drop_column('mesh')
        batch_op.drop_column('aliases')
