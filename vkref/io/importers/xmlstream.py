"""Streaming, hardened XML reading shared by the PubMed XML and EndNote XML readers.

Files are parsed with :func:`defusedxml.ElementTree.iterparse`: entity declarations (the way to an entity
expansion bomb) and external entities are refused with a one-line :class:`DataError`; a DOCTYPE naming a
DTD, as every PubMed file has, is allowed (it is never fetched). The file is fed to the parser one line at a
time so each record knows the line it starts on, and every record element is cleared once read, so memory
stays flat however large the file.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as SafeET

from vkref.core.errors import DataError


class _LineReader:
    """A binary file object whose ``read`` returns one line at a time and counts the lines it gave."""

    def __init__(self, stream: BinaryIO):
        self._stream = stream
        self.line = 0

    def read(self, size: int = -1) -> bytes:
        data = self._stream.readline()
        if data:
            self.line += 1
        return data


def local(tag: str) -> str:
    """An element name without its namespace ("{ns}Title" -> "Title")."""
    return tag.rsplit("}", 1)[-1]


def records(stream: BinaryIO, name: str, tags: tuple[str, ...]) -> Iterator[tuple[int, Element]]:
    """(start line, element) for every element named in ``tags``, in file order, cleared after use."""
    reader = _LineReader(stream)
    root, start, depth = None, 0, 0
    try:
        for event, element in SafeET.iterparse(reader, events=("start", "end")):
            if root is None:
                root = element
            if local(element.tag) not in tags:
                continue
            if event == "start":
                depth += 1
                start = start if depth > 1 else reader.line
                continue
            depth -= 1
            if depth == 0:
                yield start, element
                element.clear()
                root.clear()
    except ParseError as exc:
        line, column = getattr(exc, "position", (reader.line, 0))
        raise DataError(f"{name}: malformed XML at line {line}, column {column + 1}") from None
    except defusedxml.EntitiesForbidden:
        raise DataError(f"{name}: XML entity declarations are refused (they can expand without bound)") from None
    except defusedxml.DefusedXmlException as exc:
        raise DataError(f"{name}: refused XML construct ({type(exc).__name__})") from None


def text(element: Element | None) -> str:
    """All the text inside an element, markup (italics, MathML, EndNote styles) dropped."""
    return " ".join("".join(element.itertext()).split()) if element is not None else ""


def find_text(element: Element, path: str) -> str:
    return text(element.find(path))


def all_text(element: Element, path: str) -> list[str]:
    return [t for t in (text(e) for e in element.iterfind(path)) if t]
