"""Shared items of the council portal (reports, alerts, analysis bundles).

- :mod:`econsec.sharing.models`: what goes in (:class:`~econsec.sharing.models.NewItem`)
  and what a reader gets (:class:`~econsec.sharing.models.ItemView`,
  :class:`~econsec.sharing.models.ItemPage`);
- :mod:`econsec.sharing.items`: :class:`~econsec.sharing.items.ItemStore`, every query
  filtered in SQL by :func:`econsec.access.filters.visible_items`.
"""
