from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from synthgen_service.store import projects
from synthgen_service.store.engine import create_engine, migrate, session_factory
from synthgen_service.store.tables import Base


async def test_migrations_match_the_tables_module(settings):
    engine = create_engine(settings)
    try:
        await migrate(engine)
        async with engine.connect() as conn:
            diff = await conn.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
            )
    finally:
        await engine.dispose()
    assert diff == []


async def test_upgrade_keeps_existing_data_and_is_idempotent(settings):
    engine = create_engine(settings)
    try:
        await migrate(engine)
        async with session_factory(engine)() as session:
            row = await projects.create(session, "alice", "kept", None)
            await session.commit()
            project_id = row.id
        await migrate(engine)
        async with session_factory(engine)() as session:
            again = await projects.get(session, "alice", project_id)
            version = await session.scalar(sa.text("SELECT version_num FROM alembic_version"))
    finally:
        await engine.dispose()
    assert again is not None
    assert again.name == "kept"
    assert again.created_at.tzinfo is not None
    assert version == "0002"


async def test_owner_scoping_hides_other_owners_rows(settings):
    engine = create_engine(settings)
    try:
        await migrate(engine)
        async with session_factory(engine)() as session:
            row = await projects.create(session, "alice", "mine", None)
            await session.commit()
            assert await projects.get(session, "bob", row.id) is None
            assert await projects.get(session, "alice", uuid.uuid4()) is None
            assert (await projects.page(session, "bob", 10, 0)) == ([], 0)
    finally:
        await engine.dispose()
