"""The append-only, hash-chained audit log: :class:`AuditLog` (the table), the pure chain
(:mod:`econsec.audit.chain`) and the key and head anchor kept outside the database
(:mod:`econsec.audit.anchor`)."""

from econsec.audit.log import AuditLog, AuditRecord, VerifyResult

__all__ = ["AuditLog", "AuditRecord", "VerifyResult"]
