"""The value-chain knowledge base (SQLite or PostgreSQL through SQLAlchemy Core).

- :mod:`~econsec.kb.store`: :class:`~econsec.kb.store.Store` (imports and queries) and
  :func:`~econsec.kb.store.open_store`.
- :mod:`~econsec.kb.protocol`: :class:`~econsec.kb.protocol.KnowledgeBase`, the read
  methods analyses and the web app take.
- :mod:`~econsec.kb.cached`: a store that reads each list once (one command's run).
- :mod:`~econsec.kb.engine`: opening a database, locks, the schema check and migration.
- :mod:`~econsec.kb.models`: the tables.
- :mod:`~econsec.kb.rows`: records to rows and back.
- :mod:`~econsec.kb.validate` and :mod:`~econsec.kb.refusals`: the checks of an import
  and the refusals they give.
- :mod:`~econsec.kb.write`: the writes of an import.
- :mod:`~econsec.kb.datapackage`: export as a Frictionless data package.
- :mod:`~econsec.kb.browse`: the stored rows of a table, a page at a time.
"""
