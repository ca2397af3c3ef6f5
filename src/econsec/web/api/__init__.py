"""JSON API routers (``/api/v1``): the same shapes as the CLI's ``--format json``."""
