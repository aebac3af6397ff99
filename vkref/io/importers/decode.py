"""Bytes to text for the text formats, and the check that refuses binary files.

Order (the first that works wins): strict UTF-8 (a UTF-8 BOM dropped), a UTF-16/32 BOM, UTF-16 without BOM
recognised by its NUL pattern, the encoding the file declares (``% Encoding: X``, ``encoding="X"``),
charset-normalizer's guess on files long enough for a guess to be trusted, and finally cp1252 with undefined
bytes replaced, so a lone stray byte never stops an import. Line ends are normalised to "\\n" so line numbers
are the same whatever the file used.
"""
from __future__ import annotations

import codecs
import re

import charset_normalizer

from vkref.core.errors import DataError

_BOMS = (  # longest first: the UTF-32 LE BOM starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"%PDF", b"PK\x03\x04", b"\x1f\x8b", b"BM", b"II*\x00",
          b"MM\x00*", b"\x7fELF", b"SQLite format")
_DECLARED = re.compile(rb"(?:%\s*Encoding:\s*|encoding=[\"'])([A-Za-z0-9_.:-]+)", re.IGNORECASE)
_TRUST_GUESS = 2048  # below this many bytes charset-normalizer's guesses were wrong on real files (cp775, cp949)


def utf16_without_bom(head: bytes) -> str | None:
    """"utf-16-le"/"utf-16-be" when NUL bytes sit at every other position, as in BOM-less UTF-16 text."""
    sample = head[:2048]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    half = len(sample) // 2
    if odd > 0.4 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.4 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


def bom_encoding(head: bytes) -> str | None:
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    return None


def is_binary(head: bytes) -> bool:
    """True for images, archives, executables and other non-text content (NUL bytes outside UTF-16/32)."""
    if head.startswith(_MAGIC):
        return True
    if bom_encoding(head) or utf16_without_bom(head):
        return False
    return b"\x00" in head


def decode(data: bytes, name: str) -> str:
    """The text of a file; :class:`DataError` when a BOM promises an encoding the bytes break."""
    return _decode(data, name).replace("\r\n", "\n").replace("\r", "\n")


def _decode(data: bytes, name: str) -> str:
    if utf16_without_bom(data) and not bom_encoding(data):  # BOM-less UTF-16 of ASCII text is valid UTF-8 too
        return _wide(data, utf16_without_bom(data), b"", name)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    bom = next((b for b, enc in _BOMS if data.startswith(b)), b"")
    wide = bom_encoding(data)
    if wide:
        return _wide(data, wide, bom, name)
    return _declared(data) or _guessed(data) or data.decode("cp1252", errors="replace")


def _wide(data: bytes, encoding: str, bom: bytes, name: str) -> str:
    try:
        return data[len(bom):].decode(encoding)
    except UnicodeDecodeError as exc:
        raise DataError(f"{name}: broken {encoding.upper()} encoding at byte {exc.start}") from None


def _declared(data: bytes) -> str | None:
    match = _DECLARED.search(data[:1024])
    if not match:
        return None
    try:
        return data.decode(match.group(1).decode("ascii"))
    except (LookupError, UnicodeDecodeError):
        return None


def _guessed(data: bytes) -> str | None:
    if len(data) < _TRUST_GUESS:
        return None
    best = charset_normalizer.from_bytes(data).best()
    return str(best) if best is not None else None
