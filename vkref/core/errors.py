"""The two classes of error vkref distinguishes (STYLE habit 8).

``VkrefError`` and its subclasses are *known* problems: bad input, a bad query, a library that cannot be
opened. They carry a one-line message meant for the user and never a traceback. Anything else is a bug and
goes to the one crash handler of the front end in use.
"""


class VkrefError(Exception):
    """A known problem with a one-line, user-facing message."""

    exit_code = 1

    def __str__(self) -> str:  # one line, always
        return " ".join(str(self.args[0] if self.args else self.__class__.__name__).split())


class QueryError(VkrefError):
    """The query or a search argument cannot be understood (CLI exit status 2)."""

    exit_code = 2


class UsageError(VkrefError):
    """Bad command-line arguments (CLI exit status 2)."""

    exit_code = 2


class DataError(VkrefError):
    """An input file or record is invalid, or a record id is unknown; the message names the file and entry
    (CLI exit status 2: bad input)."""

    exit_code = 2


class LibraryError(VkrefError):
    """The library cannot be opened or written (locked, corrupt, newer than this app, disk full)."""


class ConflictError(VkrefError):
    """A change cannot be applied because the record changed in the meantime (CLI exit status 2)."""

    exit_code = 2


class ReadOnlyLibraryError(LibraryError):
    """A write was attempted on a library opened read-only (a shared copy, a read-only disk)."""


class DiskFullError(LibraryError):
    """A write failed because the disk is full; reading and searching still work."""


class DamagedLibraryError(LibraryError):
    """The library database is missing, emptied or corrupt; the message says how to restore it."""


class CatalogOfflineError(LibraryError):
    """The shared catalog's server cannot be reached: nothing was saved; search goes on from the local index."""


class EditConflict(ConflictError):
    """An edit lost the race: the record changed since the editor read it (nothing of the edit was saved).

    ``proposal`` (a dict, see :func:`vkref.library.conflicts.proposal`) holds who changed what since, and a
    field-by-field three-way merge of the editor's values with the current record over their common ancestor."""

    def __init__(self, message: str, proposal: dict | None = None):
        super().__init__(message)
        self.proposal = proposal or {}
