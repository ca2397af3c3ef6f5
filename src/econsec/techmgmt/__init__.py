"""Technology management (DESIGN §7): designated technologies as versioned data, Japan's
export-control Group A, prior-report transfer cases and the technology-leakage self-check.

Modules: :mod:`.registry` (designated-technology lists), :mod:`.groups` (Group A),
:mod:`.cases` (the pure case workflow and the prior-report rules), :mod:`.store`
(cases and loaded lists in the knowledge base), :mod:`.selfcheck` (questionnaire and
scores), :mod:`.report` (the HTML case summary).
"""
