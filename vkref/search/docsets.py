"""Document-set sidecars: for every term of a segment's searched fields, which documents hold it and how often (no
positions), in a binary file beside the segment that is memory-mapped when read.

Matching a query, a NOT and a wildcard need only which documents hold a term, but Whoosh keeps a term's document
numbers, frequencies and positions together in zlib-compressed pickled blocks of 128 postings: matching 100
negated common words decoded 12,861 blocks (3 s at 100,000 findings). A sidecar answers the same question with
one slice of a mapped file (a term held by many documents as a bitset, the others as document numbers), and the
BM25F scorer reads a term's frequencies from the same file.

A segment never changes once written (its deletions are recorded beside it), so its sidecar is written once,
right after the commit that created the segment (:func:`write_missing`), and holds the segment's documents
*including* deleted ones: :meth:`SegmentDocs.union` leaves masking the deletions to the caller. Reading falls
back to the postings wherever a sidecar is missing, damaged or of another format.

File: :data:`MAGIC`, the BLAKE2b digest (32 bytes) of everything after it, the header's length (8 bytes,
little-endian), the header (JSON: file version, index format, segment size, term count and the byte extent of
each section), then the sections, each 8-byte aligned: ``keys`` (the sorted ``field\\x1fterm`` keys end to
end, a term as Whoosh stores its bytes), ``key_at`` (int64, terms + 1: where each key begins), ``kinds`` (uint8
per term: 0 = little-endian int32 document numbers, 1 = a little-endian bitset of the segment's size),
``starts`` and ``lengths`` (int64 per term: byte extent in ``data``), ``counts`` (int64 per term: its
documents), ``data``, ``tfs`` (float32 frequencies, term after term, in document order). No pickles. A file
whose magic, digest, version, format or size does not match is ignored. Like the facet sidecars it is not signed
(:mod:`vkref.search.trust`): a planted one can only mislead a search, never run code, and the index removes
those of merged-away segments.
"""
from __future__ import annotations

import hashlib
import json
import mmap
import os
import struct
from pathlib import Path

import numpy as np

from vkref.search import whoosh_private
from vkref.search.schema import FIELD_BOOSTS

PREFIX = "vkref-docs-"
SUFFIX = ".bin"
MAGIC = b"VKDOCS1\n"
VERSION = 2
FIELDS = tuple(FIELD_BOOSTS) + ("concepts",)  # every field a query names
IDS, BITS = 0, 1
SEP = b"\x1f"
_DIGEST = 32
_SECTIONS = ("keys", "key_at", "kinds", "starts", "lengths", "counts", "data", "tfs")


def path_of(directory: Path, segid: str) -> Path:
    return Path(directory) / f"{PREFIX}{segid}{SUFFIX}"


def segment_of(path: Path) -> str | None:
    """The segment id a sidecar file belongs to (None: not a document-set sidecar)."""
    name = path.name
    return name[len(PREFIX):-len(SUFFIX)] if name.startswith(PREFIX) and name.endswith(SUFFIX) else None


class SegmentDocs:
    """One segment's document sets, read from a mapped sidecar."""

    def __init__(self, buf, header: dict):
        self.size = int(header["size"])
        self._buf = buf
        n = self._n = int(header["terms"])
        ext = header["sections"]
        self._keys = ext["keys"][0]
        self._key_at = np.frombuffer(buf, dtype="<i8", count=n + 1, offset=ext["key_at"][0])
        if n and (int(self._key_at[-1]) != ext["keys"][1] or (np.diff(self._key_at) < 0).any()):
            raise ValueError("document-set sidecar: key offsets do not fit")
        self._kinds = np.frombuffer(buf, dtype=np.uint8, count=n, offset=ext["kinds"][0])
        self._starts = np.frombuffer(buf, dtype="<i8", count=n, offset=ext["starts"][0])
        self._lengths = np.frombuffer(buf, dtype="<i8", count=n, offset=ext["lengths"][0])
        counts = np.frombuffer(buf, dtype="<i8", count=n, offset=ext["counts"][0])
        self._tf_starts = np.concatenate([[0], np.cumsum(counts)])  # where each term's frequencies begin
        self._tfs = np.frombuffer(buf, dtype="<f4", count=int(self._tf_starts[-1]), offset=ext["tfs"][0])
        self._data = ext["data"][0]

    def _find(self, key: bytes) -> int | None:
        """The number of ``key`` in the sorted keys (a binary search in the mapped file: no Python object per
        term is kept, which matters for a library with full texts and hundreds of thousands of terms)."""
        lo, hi = 0, self._n
        while lo < hi:
            mid = (lo + hi) // 2
            if self._key(mid) < key:
                lo = mid + 1
            else:
                hi = mid
        return lo if lo < self._n and self._key(lo) == key else None

    def _key(self, i: int) -> bytes:
        return self._buf[self._keys + int(self._key_at[i]):self._keys + int(self._key_at[i + 1])]

    def postings(self, field: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
        """The local document numbers (int32, ascending; deleted ones included) and frequencies (float32) of
        the term ``btext`` in ``field``."""
        i = self._find(field.encode("utf-8") + SEP + btext)
        if i is None:
            return np.empty(0, dtype=np.int32), np.empty(0, dtype=np.float32)
        start, length = self._data + int(self._starts[i]), int(self._lengths[i])
        if self._kinds[i] == BITS:
            raw = np.frombuffer(self._buf, dtype=np.uint8, count=length, offset=start)
            ids = np.flatnonzero(np.unpackbits(raw, bitorder="little", count=self.size)).astype(np.int32)
        else:
            ids = np.frombuffer(self._buf, dtype="<i4", count=length // 4, offset=start).astype(np.int32)
        tfs = self._tfs[self._tf_starts[i]:self._tf_starts[i + 1]].astype(np.float32)
        if len(tfs) != len(ids):
            raise ValueError("document-set sidecar: frequencies and documents disagree")
        return ids, tfs

    def union(self, field: str, btexts) -> int:
        """The local documents (deleted ones included) holding any of the terms ``btexts`` (as Whoosh stores
        them) in ``field``, as a bitset."""
        out, mask = 0, None
        head = field.encode("utf-8") + SEP
        for btext in btexts:
            i = self._find(head + btext)
            if i is None:
                continue
            start, length = self._data + int(self._starts[i]), int(self._lengths[i])
            if self._kinds[i] == BITS:
                out |= int.from_bytes(self._buf[start:start + length], "little")
                continue
            if mask is None:
                mask = np.zeros(self.size, dtype=bool)
            mask[np.frombuffer(self._buf, dtype="<i4", count=length // 4, offset=start)] = True
        if mask is not None:
            out |= int.from_bytes(np.packbits(mask, bitorder="little").tobytes(), "little")
        return out


def load(path: Path, size: int, index_format: int, remove_damaged: bool = False) -> SegmentDocs | None:
    """The sidecar at ``path``, or None when it is missing, damaged, or of another version, format or size.
    ``remove_damaged``: a file that was read and does not fit is deleted (best effort), so that the next commit
    writes it again (:func:`write_missing`); a file that could not be read at all is left alone."""
    try:
        with open(path, "rb") as f:
            buf = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):  # missing, unreadable, or empty (an empty file cannot be mapped)
        buf = None
    try:
        found = _parse(buf, size, index_format) if buf is not None else None
    except (ValueError, KeyError, TypeError, IndexError, UnicodeDecodeError, struct.error):
        found = None
    if found is None and remove_damaged and (buf is not None or _empty(path)):
        try:
            path.unlink(missing_ok=True)
        except OSError:  # read-only, or still mapped elsewhere (Windows): ignored as it is
            pass
    return found


def _empty(path: Path) -> bool:
    try:
        return path.stat().st_size == 0
    except OSError:
        return False


def _parse(buf, size: int, index_format: int) -> SegmentDocs | None:
    head = len(MAGIC) + _DIGEST
    if buf[:len(MAGIC)] != MAGIC or buf[len(MAGIC):head] != _digest(memoryview(buf)[head:]):
        return None
    (hlen,) = struct.unpack("<Q", buf[head:head + 8])
    header = json.loads(buf[head + 8:head + 8 + hlen].decode("utf-8"))
    if header.get("version") != VERSION or header.get("format") != index_format or header.get("size") != size:
        return None
    return SegmentDocs(buf, header)


def encode(entries: dict[bytes, tuple[np.ndarray, np.ndarray]], size: int, index_format: int) -> bytes:
    """The sidecar bytes of ``entries`` (``field\\x1fterm`` -> ascending local document numbers and their
    frequencies)."""
    keys = sorted(entries)
    kinds = np.zeros(len(keys), dtype=np.uint8)
    starts = np.zeros(len(keys), dtype="<i8")
    lengths = np.zeros(len(keys), dtype="<i8")
    counts = np.array([len(entries[k][0]) for k in keys], dtype="<i8")
    chunks, at = [], 0
    for i, key in enumerate(keys):
        ids = np.asarray(entries[key][0], dtype="<i4")
        if 4 * len(ids) > (size + 7) // 8:  # a bitset is smaller
            mask = np.zeros(size, dtype=bool)
            mask[ids] = True
            raw, kinds[i] = np.packbits(mask, bitorder="little").tobytes(), BITS
        else:
            raw = ids.tobytes()
        starts[i], lengths[i] = at, len(raw)
        chunks.append(raw)
        at += len(raw)
    tfs = [np.asarray(entries[k][1], dtype="<f4") for k in keys]
    key_at = np.concatenate([[0], np.cumsum([len(k) for k in keys], dtype=np.int64)]).astype("<i8")
    parts = {"keys": b"".join(keys), "key_at": key_at.tobytes(), "kinds": kinds.tobytes(),
             "starts": starts.tobytes(), "lengths": lengths.tobytes(), "counts": counts.tobytes(),
             "data": b"".join(chunks), "tfs": np.concatenate(tfs).tobytes() if tfs else b""}
    return _assemble(parts, {"version": VERSION, "format": index_format, "size": size, "terms": len(keys)})


def _assemble(parts: dict[str, bytes], header: dict) -> bytes:
    """Header and 8-aligned sections; section extents are absolute offsets in the file."""
    # the header's length depends on the offsets it holds: lay out with a fixed-width header
    offsets, at = {}, 0
    for name in _SECTIONS:
        offsets[name] = at
        at += len(parts[name]) + (-len(parts[name]) % 8)
    probe = json.dumps({**header, "sections": {n: [10 ** 15, 10 ** 15] for n in _SECTIONS}}).encode()
    hlen = len(probe) + 64
    base = len(MAGIC) + _DIGEST + 8 + hlen
    base += -base % 8
    header = {**header, "sections": {n: [base + offsets[n], len(parts[n])] for n in _SECTIONS}}
    text = json.dumps(header).encode().ljust(base - len(MAGIC) - _DIGEST - 8)
    body = struct.pack("<Q", len(text)) + text + b"".join(p + b"\0" * (-len(p) % 8) for p in
                                                         (parts[n] for n in _SECTIONS))
    return MAGIC + _digest(body) + body


def _digest(body) -> bytes:
    return hashlib.blake2b(body, digest_size=_DIGEST).digest()


# ---------------------------------------------------------------------------- writing


def segment_entries(leaf) -> dict[bytes, tuple[np.ndarray, np.ndarray]] | None:
    """Every term of :data:`FIELDS` in one segment with its documents (deleted ones included) and frequencies,
    or None where neither Whoosh's internals nor a segment without deletions allow reading them."""
    out: dict[bytes, tuple[np.ndarray, np.ndarray]] = {}
    for field in FIELDS:
        if field not in leaf.schema:
            continue
        for btext in leaf.lexicon(field):
            got = whoosh_private.raw_postings(leaf, field, btext)
            if got is None:
                if leaf.has_deletions():
                    return None
                got = _public_postings(leaf.postings(field, leaf.schema[field].from_bytes(btext)))
            out[field.encode("utf-8") + SEP + btext] = got
    return out


def _public_postings(matcher) -> tuple[np.ndarray, np.ndarray]:
    pairs = list(matcher.items_as("weight"))
    return np.array([d for d, _ in pairs], dtype=np.int32), np.array([w for _, w in pairs], dtype=np.float32)


def write(directory: Path, leaf, segid: str, index_format: int) -> bool:
    """Write the sidecar of one segment. A full or read-only disk only means its postings are read instead."""
    entries = segment_entries(leaf)
    if entries is None:
        return False
    path = path_of(directory, segid)
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_bytes(encode(entries, leaf.doc_count_all(), index_format))
        os.replace(tmp, path)
        return True
    except OSError:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
        return False


def write_missing(directory: Path, reader, index_format: int, segment_id) -> int:
    """Write the sidecar of every segment of ``reader`` that has none; returns how many were written."""
    for leftover in Path(directory).glob(PREFIX + "*.tmp"):  # of a writer that died (writers take turns)
        leftover.unlink(missing_ok=True)
    written = 0
    for leaf, _offset in reader.leaf_readers():
        segid = segment_id(leaf)
        if segid and not path_of(directory, segid).exists():
            written += write(directory, leaf, segid, index_format)
    return written


def remove_stale(directory: Path, live_segments: set) -> None:
    """Remove the sidecars of segments merged away (a file another process still maps is left for later; one
    being written, ``.tmp``, is the writer's)."""
    for path in Path(directory).glob(PREFIX + "*" + SUFFIX):
        if segment_of(path) not in live_segments:
            try:
                path.unlink(missing_ok=True)
            except OSError:
                pass
