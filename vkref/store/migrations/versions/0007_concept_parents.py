"""concept_parent: a concept may have several parents (the vocabulary becomes a poly-hierarchy)

Every concept's parent is copied into the new link table as its primary parent (position 0); ``concept.parent_id``
stays and keeps the primary parent. Change-log rows written before this revision recorded a concept's ``parent``;
they are rewritten as ``parents`` (a list), so undo, redo and history read one shape.

Revision ID: 0007
Revises: 0006
"""
import json

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

CHANGE = sa.table('change', sa.column('id', sa.Integer), sa.column('entity', sa.String),
                  sa.column('field', sa.String), sa.column('old', sa.Text), sa.column('new', sa.Text))


def upgrade() -> None:
    op.create_table('concept_parent',
    sa.Column('concept_id', sa.String(length=100), nullable=False),
    sa.Column('parent_id', sa.String(length=100), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['concept_id'], ['concept.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['parent_id'], ['concept.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('concept_id', 'parent_id')
    )
    op.create_index('ix_concept_parent_parent_id', 'concept_parent', ['parent_id'], unique=False)
    op.execute("INSERT INTO concept_parent (concept_id, parent_id, position) "
               "SELECT id, parent_id, 0 FROM concept WHERE parent_id IS NOT NULL")
    _rewrite_change_log()


def _rewrite_change_log() -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.select(CHANGE.c.id, CHANGE.c.field, CHANGE.c.old, CHANGE.c.new)
                        .where(CHANGE.c.entity == 'concept', CHANGE.c.field.in_(('parent', '*')))).all()
    for cid, field, old, new in rows:
        convert = _as_list if field == 'parent' else _record
        conn.execute(CHANGE.update().where(CHANGE.c.id == cid)
                     .values(field='parents' if field == 'parent' else field, old=convert(old), new=convert(new)))


def _as_list(text):
    """A dumped parent id (None: top level) as a dumped list of parent ids."""
    value = None if text is None else json.loads(text)
    return json.dumps([value] if value else [])


def _record(text):
    """A dumped whole concept with ``parent`` as one with ``parents``."""
    if text is None:
        return None
    value = json.loads(text)
    if isinstance(value, dict) and 'parent' in value:
        parent = value.pop('parent')
        value['parents'] = [parent] if parent else []
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def downgrade() -> None:
    # the primary parents are still in concept.parent_id; second parents are lost
    op.drop_index('ix_concept_parent_parent_id', table_name='concept_parent')
    op.drop_table('concept_parent')
