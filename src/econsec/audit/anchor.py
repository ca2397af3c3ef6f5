"""What the audit log keeps outside the database: the MAC key and the head anchor.

The key is ``$ECONSEC_AUDIT_KEY`` when set, else the file ``audit-key`` (created once,
mode 0600) in the audit folder: ``$ECONSEC_AUDIT_DIR``, else the folder of the API token
(``~/.local/state/econsec``, see :func:`econsec.web.security.default_token_file`). The head
anchor of each database (last sequence number and hash, with a MAC) is the file
``audit-head-<id>.json`` in the same folder, ``<id>`` derived from the database's location.
Every process that writes the log must see the same key and folder.

The key file is read once per process and kept (:func:`load_key`): a record costs one
``stat`` of the file, and a changed file (another inode, size or modification time) is
read again. The anchor file's path is kept per engine and audit folder.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import hmac
import json
import os
import secrets
import threading
import weakref
from pathlib import Path

from sqlalchemy import Engine

from econsec.audit.chain import Anchor, anchor_mac
from econsec.settings import default_token_file

KEY_ENV = "ECONSEC_AUDIT_KEY"
DIR_ENV = "ECONSEC_AUDIT_DIR"
KEY_FILE = "audit-key"


def audit_dir() -> Path:
    """The folder of the key file and the head anchors."""
    explicit = os.environ.get(DIR_ENV)
    if explicit:
        return Path(explicit).expanduser()
    return default_token_file().parent


def load_key(*, create: bool) -> bytes | None:
    """The MAC key; with ``create`` a new key file is written when none exists (two
    processes racing agree on the first one written). ``None`` when there is none."""
    explicit = os.environ.get(KEY_ENV)
    if explicit:
        return explicit.strip().encode("utf-8")
    path = audit_dir() / KEY_FILE
    known = _cached_key(path)
    if known is not None:
        return known
    with contextlib.suppress(OSError, UnicodeDecodeError):
        text = path.read_text(encoding="ascii").strip()
        if text:
            return _keep_key(path, text.encode("ascii"))
    if not create:
        return None
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(f"{KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secrets.token_hex(32) + "\n")
    try:
        os.link(temporary, path)  # fails when another process was first: use its key
    except FileExistsError:
        pass
    finally:
        temporary.unlink(missing_ok=True)
    return _keep_key(path, path.read_text(encoding="ascii").strip().encode("ascii"))


#: The key file's contents as read, by path, with the file's identity when it was read.
_KEYS: dict[Path, tuple[tuple[int, int, int, int], bytes]] = {}
_KEYS_LOCK = threading.Lock()


def _identity(path: Path) -> tuple[int, int, int, int] | None:
    """What tells a changed key file: device, inode, size and modification time."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def _cached_key(path: Path) -> bytes | None:
    """The key read earlier from ``path`` if the file has not changed since."""
    with _KEYS_LOCK:
        known = _KEYS.get(path)
    if known is None:
        return None
    return known[1] if _identity(path) == known[0] else None


def _keep_key(path: Path, key: bytes) -> bytes:
    identity = _identity(path)
    if identity is not None:
        with _KEYS_LOCK:
            _KEYS[path] = (identity, key)
    return key


def database_id(engine: Engine) -> str:
    """A short id of the database's location (SQLite: the resolved file; else the URL
    without its password)."""
    url = engine.url
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        where = "sqlite:" + str(Path(url.database).expanduser().resolve())
    else:
        where = url.render_as_string(hide_password=True)
    return hashlib.sha256(where.encode("utf-8")).hexdigest()[:16]


#: Engine -> its database id (the id resolves the SQLite file: computed once per engine).
_DATABASE_IDS: weakref.WeakKeyDictionary[Engine, str] = weakref.WeakKeyDictionary()


def anchor_file(engine: Engine) -> Path:
    """The head anchor file of ``engine``'s database."""
    with _KEYS_LOCK:
        known = _DATABASE_IDS.get(engine)
    if known is None:
        known = database_id(engine)
        with _KEYS_LOCK:
            _DATABASE_IDS[engine] = known
    return audit_dir() / f"audit-head-{known}.json"


class AnchorError(ValueError):
    """The anchor file exists but does not verify (edited, or written under another key)."""


def read_anchor(path: Path, key: bytes | None) -> Anchor | None:
    """The anchor in ``path`` (``None`` when there is no file); :class:`AnchorError` when it
    is malformed or its MAC does not match ``key``."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise AnchorError(f"the anchor file {path} cannot be read: {exc}") from exc
    try:
        anchor = Anchor(int(data["seq"]), str(data["hash"]))
        mac = str(data["mac"])
    except (KeyError, TypeError, ValueError) as exc:
        raise AnchorError(f"the anchor file {path} is malformed") from exc
    if key is not None and not hmac.compare_digest(
            mac.encode(), anchor_mac(key, anchor.seq, anchor.hash).encode()):
        raise AnchorError(f"the anchor file {path} does not match the key: edited")
    return anchor


def advance_anchor(path: Path, key: bytes, seq: int, hash_hex: str) -> None:
    """Move the anchor to record ``seq`` unless it already names a later one (writers
    finishing out of order never move it back)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    lock = path.with_name(path.name + ".lock")
    fd = os.open(lock, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
            current = json.loads(path.read_text(encoding="utf-8"))
            if int(current["seq"]) >= seq:
                return
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        body = {"seq": seq, "hash": hash_hex, "mac": anchor_mac(key, seq, hash_hex)}
        tfd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(tfd, "w", encoding="utf-8") as handle:
            json.dump(body, handle)
        os.replace(temporary, path)
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
