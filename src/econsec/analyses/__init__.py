"""Analyses: knowledge-base queries combined with the pure indicators.

Each function takes a :class:`econsec.kb.store.Store` and returns a plain JSON-ready
dictionary with stable snake_case keys and the sources of every number.
"""
