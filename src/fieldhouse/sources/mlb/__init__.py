"""The MLB Stats API source (statsapi.mlb.com): see docs/mlb.md.

The source as fieldhouse finds it (:mod:`.source`: ``MLBSource``, with its settings
:mod:`.settings` and options :mod:`.options`); the tables (YAML mappings in ``mappings/``,
:mod:`.schema`), the functions they call (:mod:`.functions`), response validators
(:mod:`.validate`), reading folders of recorded responses (:mod:`.files`), the audits
(:mod:`.audits`); the client over the shared fetcher (:mod:`.client`), the handlers that map
stored responses, online and in replay (:mod:`.handlers`), the units (:mod:`.units`),
planning and the season watermark (:mod:`.plan`), the fake server's routes for recorded
responses (:mod:`.fakeroutes`) and the offline demo (:mod:`.demo`).
"""
