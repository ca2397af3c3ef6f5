"""Alembic migrations of the knowledge base (run by :func:`econsec.kb.store.open_store`)."""
