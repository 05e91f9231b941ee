"""Sources: where data comes from.  Every source fetches through :mod:`.http`, keeps each
accepted response in the raw landing zone (:mod:`.raw`), and maps it to tables with a
handler registered in :mod:`.replay`, so the same data can be rebuilt offline."""
