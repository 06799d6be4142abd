import os

# polars allocates through its own jemalloc, which keeps freed pages for half a second, then another
# second before returning them to the system (polars/__init__.py). An import frees and allocates a
# batch's worth of columns several times a second, so those pages were some 35 MB of its resident
# memory (docs/performance.md, round 4). Returning them at once (a decay of 0) cost time instead: each
# page was faulted in and zeroed again by the next allocation, 2.2 s of the 7.5 s a million-row .xlsx
# took to read, and some 0.7 s of a CSV import's work before its write (docs/performance.md, stop 26).
# Returned after 20 ms, they cost no time. polars reads this when it is first imported, which is after
# this package; a value the operator sets wins.
os.environ.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:20,muzzy_decay_ms:20")
