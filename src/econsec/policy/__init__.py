"""From findings to decisions: the 3P measure catalogue (promotion, protection,
partnership), measures applied to scenarios, and the recommender that ranks measures by the
loss they avoid in the scenario engine."""
