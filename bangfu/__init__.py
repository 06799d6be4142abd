import os

# polars allocates through its own jemalloc, which keeps freed pages for half a second, then another
# second before returning them to the system (polars/__init__.py). An import frees and allocates a
# batch's worth of columns several times a second, so those pages were some 35 MB of its resident
# memory (docs/performance.md); return them at once. polars reads this when it is first imported, which
# is after this package; a value the operator sets wins.
os.environ.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:0,muzzy_decay_ms:0")
