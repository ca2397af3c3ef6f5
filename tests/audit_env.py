"""Helper, no tests: a private audit folder (key and head anchors) for the servers and
``econsec`` subprocesses a test module starts."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def private_audit_dir(folder: Path) -> Iterator[Path]:
    """``ECONSEC_AUDIT_DIR`` set to ``folder`` inside the block, restored after."""
    before = os.environ.get("ECONSEC_AUDIT_DIR")
    os.environ["ECONSEC_AUDIT_DIR"] = str(folder)
    try:
        yield folder
    finally:
        if before is None:
            os.environ.pop("ECONSEC_AUDIT_DIR", None)
        else:
            os.environ["ECONSEC_AUDIT_DIR"] = before
