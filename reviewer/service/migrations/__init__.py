"""Alembic migrations of the Gatehouse store (run by ``Store.open``)."""
