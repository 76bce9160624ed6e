"""Alembic's environment for the state store: run on the connection `dashboard.state.migrate` hands over (never
on a URL of its own), against `state_metadata` (every table module imported)."""

from __future__ import annotations

from alembic import context

from dashboard.state.engine import import_table_modules, state_metadata

import_table_modules()
connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=state_metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
