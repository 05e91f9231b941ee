"""Sources: where data comes from.  Each source is a plug-in implementing
:class:`~.protocol.Source`, found through the ``fieldhouse.sources`` entry points
(:mod:`.registry`).  Every source fetches through :mod:`.http`, keeps each accepted
response in the raw landing zone (:mod:`.raw`), and maps it to tables with its handlers
(:mod:`.replay`), so the same data can be rebuilt offline."""
