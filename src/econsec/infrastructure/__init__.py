"""Indo-Pacific trusted AI infrastructure: undersea cables and landing stations (optional
non-commercial pack), cable suppliers, electricity, data centres and launch capacity, with
single points of failure found by graph analysis and Japan's contribution potential."""
