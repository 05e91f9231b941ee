"""Orchestration: units of work, watermarks, the run ledger, dead letters, audits."""
