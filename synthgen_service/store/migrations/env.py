"""Alembic environment: always driven programmatically by :func:`store.engine.migrate`.

The caller opens the connection (async engine, ``run_sync``) and passes it in
``config.attributes["connection"]``, so migrations run on exactly the database and schema
the service uses; there is no ``alembic.ini`` and no URL read from the environment.
"""

from __future__ import annotations

from alembic import context

from synthgen_service.store.tables import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
