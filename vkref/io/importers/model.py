"""What every importer returns: a parsed file, its usable records and its per-record errors.

Invariant: every record read from a file is either a :class:`ParsedRecord` or a :class:`RecordError`, so
``ParsedFile.read == len(records) + len(errors)``. Record numbers count from 1 in file order; ``line`` is the
1-based line where the record starts, when the format lets it be known.

Format readers yield :class:`RawRecord` items (a dict of raw fields, or a reason why the record cannot be
used); :mod:`vkref.io.importers.normalize` turns the fields into a :class:`~vkref.core.entities.Review`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from vkref.core.entities import Review


@dataclass
class RecordError:
    record: int
    line: int | None
    reason: str

    def to_dict(self) -> dict:
        return {"record": self.record, "line": self.line, "reason": self.reason}


@dataclass
class ParsedRecord:
    number: int
    line: int | None
    review: Review


@dataclass
class ParsedFile:
    path: str
    format: str
    records: list[ParsedRecord] = field(default_factory=list)
    errors: list[RecordError] = field(default_factory=list)

    @property
    def read(self) -> int:
        """Records read from the file: the usable ones plus the ones that could not be used."""
        return len(self.records) + len(self.errors)


@dataclass
class RawRecord:
    """One record as a format reader found it: raw ``fields`` or, for an unusable record, an ``error``."""

    line: int | None
    fields: dict[str, Any] = field(default_factory=dict)
    error: str = ""
