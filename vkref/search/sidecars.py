"""Facet sidecars: the facet data of one index segment, saved beside it in a binary file.

A segment never changes once written, so its facet data (document keys, years, reviews, evidence strengths and
one bitset per facet value) is saved the first time it is read, and a new process loads it instead of
unpickling every stored document (110,000 documents: ~10 s read from the index, ~0.1 s from the sidecar).

Format: 64 hexadecimal characters, the BLAKE2b digest of the rest, then a NumPy ``.npz`` archive (no pickles:
it is read with ``allow_pickle=False``). A sidecar whose digest, format or size does not match is ignored, and
the facet data is read from the index again. Whoosh's clean-up ignores these files; the index removes those of
merged-away segments.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
from pathlib import Path

import numpy as np

from vkref.search.facets import SegmentFacets

PREFIX = "vkref-facets-"
SUFFIX = ".bin"
DIGEST_CHARS = 64
NO_YEAR = np.iinfo(np.int32).min  # an undated document's year in the years column


def path_of(directory: Path, segid: str) -> Path:
    return directory / f"{PREFIX}{segid}{SUFFIX}"


def segment_of(path: Path) -> str | None:
    """The segment id a sidecar file belongs to (None: not a sidecar of this format)."""
    name = path.name
    return name[len(PREFIX):-len(SUFFIX)] if name.startswith(PREFIX) and name.endswith(SUFFIX) else None


def load(path: Path, size: int, index_format: int) -> SegmentFacets | None:
    """The facet data saved in ``path``, or None when it is missing, damaged or of another format or size."""
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    body = raw[DIGEST_CHARS:]
    if raw[:DIGEST_CHARS] != _digest(body):
        return None
    try:
        with np.load(io.BytesIO(body), allow_pickle=False) as data:
            return _decode({k: data[k] for k in data.files}, size, index_format)
    except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError):
        return None


def _decode(data: dict, size: int, index_format: int) -> SegmentFacets | None:
    head = json.loads(data["head"].tobytes().decode("utf-8"))
    if head.get("format") != index_format or head.get("size") != size:
        return None
    keys = _strings(data["keys"], size)
    labels = _strings(data["labels"], int(head["labels"]))
    codes = data["codes"].astype(np.int32)
    years = [None if y == NO_YEAR else y for y in data["years"].tolist()]
    bits = data["bits"]
    postings = {(f, v): int.from_bytes(bits[i].tobytes(), "little") for i, (f, v) in enumerate(head["values"])}
    if len(codes) != size or len(years) != size or len(data["strengths"]) != size or len(bits) != len(postings):
        return None
    seg = SegmentFacets(size, postings, keys, years, [labels[c] for c in codes.tolist()],
                        data["strengths"].tolist())
    seg._codes = (codes, labels)
    return seg


def save(path: Path, seg: SegmentFacets, index_format: int) -> None:
    """Write ``seg`` beside its segment; a read-only or full disk only means it is read from the index again."""
    codes, labels = seg.review_codes()
    values = list(seg.postings)
    width = (seg.size + 7) // 8
    bits = np.zeros((len(values), width), dtype=np.uint8)
    for i, key in enumerate(values):
        bits[i] = np.frombuffer(seg.postings[key].to_bytes(width, "little"), dtype=np.uint8)
    head = {"format": index_format, "size": seg.size, "labels": len(labels), "values": [list(k) for k in values]}
    out = io.BytesIO()
    np.savez(out, head=_bytes(json.dumps(head)), keys=_bytes("\n".join(seg.keys)),
             labels=_bytes("\n".join(labels)), codes=codes,
             years=np.array([NO_YEAR if y is None else y for y in seg.years], dtype=np.int32),
             strengths=np.array(seg.strengths, dtype=np.int32), bits=bits)
    body = out.getvalue()
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_bytes(_digest(body) + body)
        os.replace(tmp, path)
    except OSError:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:  # a read-only file system refuses even the unlink of a file that is not there
            pass


def _bytes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def _strings(blob: np.ndarray, count: int) -> list[str]:
    """``count`` strings joined by newlines (document keys and review ids never hold one)."""
    if count == 0:
        return []
    out = blob.tobytes().decode("utf-8").split("\n")
    if len(out) != count:
        raise ValueError("sidecar string count does not match")
    return out


def _digest(body: bytes) -> bytes:
    return hashlib.blake2b(body, digest_size=32).hexdigest().encode("ascii")
