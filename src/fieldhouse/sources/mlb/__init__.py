"""The MLB Stats API source (statsapi.mlb.com): see docs/mlb.md.

The groundwork: the tables (YAML mappings in ``mappings/``, :mod:`.schema`), the functions
they call (:mod:`.functions`), response validators (:mod:`.validate`), reading folders of
recorded responses (:mod:`.files`) and the audits (:mod:`.audits`).
"""
