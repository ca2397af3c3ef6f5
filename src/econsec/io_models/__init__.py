"""Input-output models: MRIO tables and the shocks propagated through them (DESIGN §4)."""
