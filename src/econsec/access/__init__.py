"""Access control of the council portal: one seam every path goes through.

- :mod:`econsec.access.actor`: who asks (:class:`Actor`: user, organisation, roles,
  clearance, compartments, groups, validity) and the single-user local actor;
- :mod:`econsec.access.actions`: what they may do by role (:class:`Action`);
- :mod:`econsec.access.policy`: the three gates of DESIGN §6 as a pure decision on one
  item's marking (:func:`may_read`), the no-write-down rule, and the oracle the tests
  compare the SQL filter with;
- :mod:`econsec.access.filters`: the same gates as a SQL condition applied inside the
  store's queries (:func:`visible_items`), so hidden items are never fetched, counted or
  faceted.
"""
