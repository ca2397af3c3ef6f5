"""Tabletop exercises (TTX) on the scenario engine: exercise files, sessions kept in the
knowledge base, moves recomputed with the 3P measure catalogue, after-action reports."""
