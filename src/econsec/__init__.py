"""econsec: open economic-security intelligence.

Data flows one way: data sets -> knowledge base -> analyses -> results -> presenters.
See ``DESIGN.md`` in the repository's shared folder and ``docs/`` for the methods.
"""

__version__ = "0.1.0"
