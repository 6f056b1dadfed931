"""The database: tables, engine and migrations, and owner-scoped queries per resource."""
