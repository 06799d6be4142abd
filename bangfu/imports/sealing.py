"""Hashing and encrypting the ID numbers of a batch, in worker processes when it pays.

About 3.5 µs of Python per ID number (HMAC-SHA256 and AES-GCM, bangfu.privacy.crypto) is the
largest single cost of a big import; threads give nothing under the GIL, so batches of more
than SPLIT_MIN numbers go to worker processes. They exchange fixed-width byte buffers (every
valid ID number is 18 ASCII characters), not pickled lists, and run bulk.seal_fixed — the
same keys and layout as the EncryptedField, so the field decrypts what the import wrote.
The workers are spawned, not forked: they import bangfu.privacy.bulk alone (no Django, no
polars) and receive the derived keys once, so each takes about 20 MB instead of a copy of the
importing process.
"""

import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor

import polars as pl

from bangfu.privacy import bulk, crypto

WIDTH = 18
SPLIT_MIN = 20_000
WORKERS = int(os.environ.get("BANGFU_IMPORT_WORKERS", str(min(2, os.cpu_count() or 1))))


def _split(blob: bytes, size: int) -> list[bytes]:
    return [blob[i : i + size] for i in range(0, len(blob), size)]


class Sealed:
    """The hashes and ciphertexts of one batch, as polars Binary columns, when ready."""

    def __init__(self, parts: list, count: int):
        self._parts = parts  # futures or (hashes, blobs) tuples, in order
        self.count = count

    def columns(self) -> tuple[pl.Series, pl.Series]:
        hashes, blobs = [], []
        for part in self._parts:
            h, b = part.result() if isinstance(part, Future) else part
            hashes.append(h)
            blobs.append(b)
        return (pl.Series("p_id_hash", _split(b"".join(hashes), 32), dtype=pl.Binary),
                pl.Series("p_id_enc", _split(b"".join(blobs), WIDTH + 29), dtype=pl.Binary))


class Sealer:
    """One import's worker pool (started before the first big batch, so that the workers are up
    when it comes) and the way batches are handed to it."""

    def __init__(self, workers: int = WORKERS, split_min: int = SPLIT_MIN):
        self.workers = workers
        self.split_min = split_min
        self._pool: ProcessPoolExecutor | None = None

    def submit(self, ids: pl.Series) -> Sealed:
        """Start hashing and encrypting `ids` (validated ID numbers); collect with .columns()."""
        buffer = ids.str.join("").item().encode("ascii") if ids.len() else b""
        count = len(buffer) // WIDTH
        if count < self.split_min or self.workers < 2:
            return Sealed([crypto.seal_fixed(buffer, WIDTH)], count)
        self.start()
        step = -(-count // self.workers) * WIDTH
        return Sealed([self._pool.submit(bulk.worker_seal_fixed, buffer[i : i + step], WIDTH)
                       for i in range(0, len(buffer), step)], count)

    def start(self) -> None:
        """Spawn the workers and hand them the keys."""
        if self._pool is None and self.workers >= 2:
            self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=bulk.worker_init, initargs=crypto.raw_keys())

    def close(self, *, wait: bool = True) -> None:
        """End the workers. Without `wait` this returns at once and they exit meanwhile: joining them
        took about a second (0.85-1.4 s here), spent inside the import's transaction for nothing."""
        if self._pool is not None:
            self._pool.shutdown(wait=wait, cancel_futures=True)
            self._pool = None
