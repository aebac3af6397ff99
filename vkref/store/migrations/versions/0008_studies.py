"""primary studies as records: the study table and the finding -> study links

Revision ID: 0008
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'study',
        sa.Column('id', sa.String(length=100), nullable=False),
        sa.Column('label', sa.String(length=300), nullable=False),
        sa.Column('first_author', sa.String(length=200), nullable=False, server_default=''),
        sa.Column('year', sa.Integer(), nullable=True),
        sa.Column('design', sa.Text(), nullable=False, server_default=''),
        sa.Column('population', sa.Text(), nullable=False, server_default=''),
        sa.Column('size', sa.String(length=200), nullable=False, server_default=''),
        sa.Column('note', sa.Text(), nullable=False, server_default=''),
        sa.Column('version', sa.Integer(), nullable=False, server_default='1'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_study_first_author', 'study', ['first_author'])
    op.create_table(
        'finding_study',
        sa.Column('finding_id', sa.String(length=100), nullable=False),
        sa.Column('study_id', sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(['finding_id'], ['finding.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['study_id'], ['study.id'], ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('finding_id', 'study_id'),
    )
    op.create_index('ix_finding_study_study', 'finding_study', ['study_id'])


def downgrade() -> None:
    op.drop_index('ix_finding_study_study', table_name='finding_study')
    op.drop_table('finding_study')
    op.drop_index('ix_study_first_author', table_name='study')
    op.drop_table('study')
