"""Regional strategy: a country seen from a home country through the action plan's five
perspectives (:func:`econsec.regions.profile.region_profile`), typical sea routes and the
chokepoints on them (:mod:`econsec.regions.sea_lanes`), and a ranking of partners that could
replace a supplier (:func:`econsec.regions.partners.partner_ranking`)."""
