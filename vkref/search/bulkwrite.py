"""The full rebuild's segment writer: the same Whoosh segment as Whoosh's own writer, written without its
external sort.

Whoosh's ``SegmentWriter`` pickles every posting into a temporary run file, sorts and unpickles the runs, and
looks up each posting's field length through the file system (a ``stat`` per posting of a field without lengths).
At 110,000 documents that path is most of a rebuild. :class:`BulkWriter` keeps the postings in memory instead
(per field and term: document numbers, weights and encoded values in arrays; identical position values shared)
and writes each term's blocks through the codec (``whoosh.codec.whoosh3``), a block at a time.

What it promises (``tests/integration/test_bulk_rebuild.py``): the segment it writes holds the same terms,
postings (document numbers, weights, values), block statistics, field lengths, stored fields and columns as the
one Whoosh's writer writes for the same documents, so every reader reads it unchanged. Text fields analysed by
vkref's own analyzer go through :func:`vkref.search.analysis.positions` (the same terms and positions, memoised
per raw token); other fields through Whoosh's ``field.index``. A Whoosh or a schema this writer does not know
(other than 2.7, term vectors, separate spelling fields) gets Whoosh's own writer: slower, never different.
"""
from __future__ import annotations

import multiprocessing
import sys
from array import array
from pathlib import Path

from whoosh import index as windex
from whoosh.codec.whoosh3 import W3TermInfo
from whoosh.formats import Existence, Positions
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from vkref.search import analysis, whoosh_private

# Linux: fork (no re-import, and a script without a ``__main__`` guard is not run again in the child; the child
# touches nothing it inherits but the documents it is sent). Elsewhere spawn: macOS's frameworks and Windows do
# not fork (the frozen build calls ``multiprocessing.freeze_support()`` for it).
START_METHOD = "fork" if sys.platform == "linux" else "spawn"
VALUE_CACHE_LIMIT = 200_000  # encoded position lists kept for sharing (most postings hold one position)
_BLOCK_ATTRS = ("_ids", "_weights", "_values", "_minlength", "_maxlength", "_maxweight", "_write_block",
                "_blocklimit", "_terminfo", "_postfile")


def usable(schema) -> bool:
    """Whether :class:`BulkWriter` can write this schema with the running Whoosh."""
    if not whoosh_private.supported():
        return False
    return not any(f.vector or f.separate_spelling() for _name, f in schema.items())


def writer(ix, procs: int = 1, first: int = 0, **kwargs):
    """A writer for a full build of ``ix``: :class:`BulkWriter` where :func:`usable`, else Whoosh's own. With
    ``procs`` > 1 and ``first`` > 0, the first ``first`` documents go to a second process (:class:`SplitWriter`)."""
    if not usable(ix.schema):
        return ix.writer(**kwargs)
    if procs > 1 and first > 0:
        return SplitWriter(ix, first, **kwargs)
    return BulkWriter(ix, **kwargs)


class _Terms:
    """One field's postings: term -> a flat list (document number, weight, value, document number, ...).
    Terms are str for fields analysed here (their UTF-8 bytes sort the same), bytes otherwise."""

    def __init__(self, keep_values: bool):
        self.keep_values = keep_values
        self.terms: dict[str | bytes, list] = {}

    def columns(self, term) -> tuple[array, array, list | None]:
        flat = self.terms[term]
        return array("I", flat[0::3]), array("f", flat[1::3]), flat[2::3] if self.keep_values else None


class BulkWriter(SegmentWriter):
    """A ``SegmentWriter`` whose postings stay in memory until the commit (see the module docstring)."""

    def __init__(self, ix, **kwargs):
        super().__init__(ix, **kwargs)
        self._fields: dict[str, _Terms] = {}
        self._lengths: dict[str, bytearray] = {}  # scorable field -> length byte per local document
        self._values: dict[tuple, bytes] = {}  # positions -> encoded value, shared between postings
        self._fast = {name: _analysed(f) for name, f in self.schema.items()}

    # ------------------------------------------------------------------ documents
    def add_document(self, **fields):
        self._check_state()
        perdoc = self.perdocwriter
        docnum = self.docnum
        docboost = self._doc_boost(fields)
        names = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(self.schema, names)
        perdoc.start_doc(docnum)
        try:
            for name in names:
                value = fields[name]
                if value is not None:
                    self._add_field(perdoc, docnum, name, value, fields, docboost)
        except Exception:
            perdoc.cancel_doc()
            raise
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1

    def _add_field(self, perdoc, docnum, name, value, fields, docboost) -> None:
        field = self.schema[name]
        length = 0
        if field.indexed:
            boost = self._field_boost(fields, name, docboost)
            length = self._post(docnum, name, field, value, boost)
        custom = fields.get(f"_stored_{name}", value)
        perdoc.add_field(name, field, custom if field.stored else None, length)
        if length:
            self._record_length(name, docnum, length)
        column = field.column_type
        if column and custom is not None:
            perdoc.add_column_value(name, column, field.to_column_value(custom))

    def _post(self, docnum, name, field, value, boost) -> int:
        """Add one field's postings; returns its length (summed frequencies) when the field is scorable."""
        terms = self._fields.get(name)
        if terms is None:
            terms = self._fields[name] = _Terms(not isinstance(field.format, Existence))
        fast = self._fast[name]
        if fast is not None and isinstance(value, str):
            return self._post_analysed(docnum, terms.terms, field, value, boost, fast)
        length = 0
        post = terms.terms
        for btext, freq, weight, vbytes in field.index(value):
            flat = post.get(btext)
            if flat is None:
                flat = post[btext] = []
            flat += (docnum, weight * boost, vbytes)
            length += freq
        return length if field.scorable else 0

    def _post_analysed(self, docnum, post: dict, field, value, boost, kind) -> int:
        """The hot loop of a rebuild (a posting each pass), kept flat on purpose."""
        get = post.get
        scale = field.format.field_boost * boost
        if kind == "existence":  # the distinct unstemmed words, no frequencies
            for term in analysis.positions(value, stem=False):
                flat = get(term)
                if flat is None:
                    flat = post[term] = []
                flat += (docnum, scale, b"")
            return 0
        length = 0
        encode = self._encode
        for term, poses in analysis.positions(value, stem=True).items():
            n = len(poses)
            flat = get(term)
            if flat is None:
                flat = post[term] = []
            flat += (docnum, n if scale == 1.0 else n * scale, encode(field.format, poses))
            length += n
        return length if field.scorable else 0

    def _encode(self, fmt, poses: list[int]) -> bytes:
        key = poses[0] if len(poses) == 1 else tuple(poses)
        value = self._values.get(key)
        if value is None:
            if len(self._values) >= VALUE_CACHE_LIMIT:
                self._values.clear()
            value = self._values[key] = fmt.encode(poses)
        return value

    def _record_length(self, name: str, docnum: int, length: int) -> None:
        column = self._lengths.get(name)
        local = docnum - self.docbase
        if column is None:
            column = self._lengths[name] = bytearray()
        if len(column) <= local:
            column.extend(bytes(local + 1 - len(column)))
        column[local] = length_to_byte(length)

    # ------------------------------------------------------------------ the commit
    def _flush_segment(self):
        self.perdocwriter.close()
        fw = self.fieldwriter
        for name in sorted(self._fields):
            self._write_field(fw, name, self._fields.pop(name))
        fw.close()

    def _write_field(self, fw, name: str, terms: _Terms) -> None:
        fw.start_field(name, self.schema[name])
        lengths = self._lengths.get(name)
        for term in sorted(terms.terms):
            ids, weights, values = terms.columns(term)
            del terms.terms[term]
            fw._btext = term.encode("utf-8") if isinstance(term, str) else term
            pw = fw._postwriter
            pw.start_postings(fw._format, W3TermInfo())
            _write_blocks(pw, ids, weights, values, lengths, self.docbase)
            fw.finish_term()
        fw.finish_field()


def _write_blocks(pw, ids: array, weights: array, values, lengths, docbase: int) -> None:
    """One term's postings, cut into the codec's blocks; the last block is written by ``finish_postings``
    (through ``finish_term``), exactly as when the postings are added one at a time."""
    limit = pw._blocklimit
    n = len(ids)
    for start in range(0, n, limit):
        end = min(n, start + limit)
        if start:
            pw._write_block()
        block_ids = ids[start:end]
        pw._ids = block_ids
        pw._weights = weights[start:end]
        pw._values = values[start:end] if values is not None else []
        pw._maxweight = max(0, max(pw._weights))
        pw._minlength, pw._maxlength = _length_range(block_ids, lengths, docbase)


def _length_range(ids, lengths, docbase: int) -> tuple[int | None, int]:
    """The block's smallest and largest field length as the per-document reader reports them (a length byte
    of 0 reads as no length, which the block statistics skip)."""
    if lengths is None:
        return None, 0
    size = len(lengths)
    got = [byte_to_length(b) for b in (lengths[d - docbase] if d - docbase < size else 0 for d in ids) if b]
    return (min(got), max(got)) if got else (None, 0)


def _analysed(field) -> str | None:
    """"positions" or "existence" for a text field vkref's analyzer serves (:func:`analysis.positions`),
    None for a field that goes through Whoosh's own ``field.index``."""
    ana = getattr(field, "analyzer", None)
    if ana is None or not getattr(field, "format", None):
        return None
    if type(field.format) is Positions and ana == analysis.VkrefAnalyzer():
        return "positions"
    if type(field.format) is Existence and ana == analysis.SpellAnalyzer():
        return "existence"
    return None


class SplitWriter:
    """Two processes, two segments: the first ``first`` documents are written by a child process's
    :class:`BulkWriter` (see :data:`START_METHOD`),
    the rest by this one's; the commit lists the child's segment first, so document numbers follow the order
    the documents came in, as with one writer. Documents travel to the child in pickled batches."""

    BATCH = 500

    def __init__(self, ix, first: int, **kwargs):
        self.own = BulkWriter(ix, **kwargs)  # holds the index's writer lock
        self.first = first
        self._sent = 0
        self._buffer: list[dict] = []
        ctx = multiprocessing.get_context(START_METHOD)
        self._conn, theirs = ctx.Pipe()
        self._child = ctx.Process(target=_child_main, args=(ix.storage.folder, ix.indexname, kwargs, theirs),
                                  daemon=True, name="vkref-index-writer")
        self._child.start()
        theirs.close()

    def add_document(self, **fields):
        if self._sent >= self.first:
            self.own.add_document(**fields)
            return
        self._buffer.append(fields)
        self._sent += 1
        if len(self._buffer) >= self.BATCH or self._sent == self.first:
            self._send()

    def delete_by_term(self, fieldname, text, searcher=None):
        self.own.delete_by_term(fieldname, text, searcher)

    def _send(self) -> None:
        if self._buffer:
            self._conn.send(self._buffer)
            self._buffer = []

    def commit(self):
        self._send()
        self._conn.send(None)
        segment = _child_result(self._conn.recv())
        self._child.join()
        own = self.own
        segments = [segment] if segment is not None else []
        if own._added:
            segments.append(own._finalize_segment())
        else:
            own._close_segment()
        own._commit_toc(segments)
        own._finish()

    def cancel(self):
        if self._child.is_alive():
            self._child.terminate()
        self._child.join()
        self._conn.close()
        self.own.cancel()

    @property
    def writelock(self):
        return self.own.writelock


def _child_result(message):
    kind, value = message
    if kind == "segment":
        return value
    if kind == "oserror":
        raise OSError(*value)
    raise RuntimeError(f"the index writer process failed: {value}")


def _child_main(folder: str, indexname: str, kwargs: dict, conn) -> None:
    """The child process of :class:`SplitWriter`: documents in, its finished segment (or the error) out."""
    try:
        w = BulkWriter(windex.open_dir(folder, indexname), _lk=False, **kwargs)
        while (batch := conn.recv()) is not None:
            for fields in batch:
                w.add_document(**fields)
        segment = w._finalize_segment() if w._added else None
        if segment is not None:
            _write_docsets(folder, w.schema, segment)
        conn.send(("segment", segment))
    except OSError as exc:
        conn.send(("oserror", (exc.errno, exc.strerror)))
    except BaseException as exc:  # reported to the parent, which fails the rebuild
        conn.send(("error", f"{exc.__class__.__name__}: {exc}"))
    finally:
        conn.close()


def _write_docsets(folder: str, schema, segment) -> None:
    """The child's segment's document-set sidecar (:mod:`vkref.search.docsets`), written here beside the other
    process's work; the index writes any sidecar still missing after the commit."""
    from whoosh.filedb.filestore import FileStorage
    from whoosh.reading import SegmentReader

    from vkref.search import docsets
    from vkref.search.schema import INDEX_FORMAT

    try:
        leaf = SegmentReader(FileStorage(folder), schema, segment)
        try:
            docsets.write(Path(folder), leaf, segment.segment_id(), INDEX_FORMAT)
        finally:
            leaf.close()
    except Exception:  # the index writes it after the commit instead
        pass
