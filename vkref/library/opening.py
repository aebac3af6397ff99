"""The open-time checks of a library directory: nothing lost, nothing let in.

What :func:`open_database` promises, in order:
- **Damaged, not new.** A directory with an index, backups or run files but no usable database (missing,
  emptied, not SQLite) is refused with a one-line :class:`DamagedLibraryError` that names the newest backup and
  :func:`restore_backup`; it is never re-created over.
- **Read-only copies open for reading.** When the directory or the database file is not writable (or the disk
  is full), the database opens read-only (``mode=ro``, or ``immutable=1`` when its -wal/-shm cannot be made);
  ``Library.read_only`` is then True, writes are refused with "library X is read-only", and search uses the
  index when it is complete, else a fresh index in a temporary directory (:func:`read_only_index`).
- **Creation is atomic.** Schema and bundled data are written in one transaction (see
  :meth:`vkref.store.Database.migrate`); a killed first run leaves nothing or a complete library, and a second
  process waits for the first instead of failing.
- **Corruption is found.** ``PRAGMA quick_check`` runs at open after an unclean shutdown (a run file left by a
  process that died with the library open: killed, crashed, power lost) and always for databases up to
  :data:`ALWAYS_CHECK_BYTES`; a damaged file is refused with the way out (the backups). A process that ends
  normally without closing the library (a script, a benchmark worker) removes its run file at exit: that is a
  clean shutdown, and the next open of a large library does not read every page (about 1 s at 100,000
  findings). A statement that finds the file damaged later marks it so (:mod:`vkref.store.database`).
"""
from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import uuid
import weakref
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from vkref.core import paths
from vkref.core.errors import DamagedLibraryError, LibraryError
from vkref.store import Database
from vkref.store.database import check_file, list_backups, restore_file

# A quick_check reads every page (about 4 ms per MB here): below this size it runs at every open.
ALWAYS_CHECK_BYTES = 16 * 1024 * 1024
SQLITE_HEADER = b"SQLite format 3\x00"
OPEN_LOCK = "open.lock"


@dataclass
class Opened:
    db: Database
    created: bool
    read_only: bool
    reason: str = ""  # why read-only: "read-only" or "disk full"
    run_file: "RunFile | None" = None


def open_database(directory: Path, create: bool, populate: Callable | None) -> Opened:
    """Open the database of ``directory`` after the checks in the module docstring."""
    db_path = directory / paths.DB_FILENAME
    usable = _looks_like_sqlite(db_path)
    if not usable:
        _refuse_if_used(directory, db_path)
        if not create:
            raise LibraryError(f"no library at {directory}")
    reason = _read_only_reason(directory, db_path)
    if reason:
        if not usable:
            raise LibraryError(f"cannot create a library in {directory}: it is {reason}")
        return _open_read_only(directory, db_path, reason)
    run_file = RunFile.start(directory)
    try:
        db = Database.open_sqlite(db_path, backup_dir=directory / paths.BACKUP_DIRNAME)
        _check_integrity(db, db_path, unclean=run_file.unclean)
        created = usable is False or db.current_revision() is None
        db.migrate(populate=populate)
    except BaseException:
        run_file.stop()
        raise
    return Opened(db, created, False, "", run_file)


def _looks_like_sqlite(db_path: Path) -> bool:
    try:
        with open(db_path, "rb") as fh:
            header = fh.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise LibraryError(f"cannot read library database {db_path}: {exc.strerror}") from None
    if header == SQLITE_HEADER:
        return True
    if not header:
        return False  # an empty file: new (or emptied, which _refuse_if_used decides)
    newest = list_backups(db_path.parent / paths.BACKUP_DIRNAME)[:1]
    raise DamagedLibraryError(f"library database {db_path} is not a SQLite database (damaged); "
                              f"{_advice(db_path.parent, newest)}")


def _refuse_if_used(directory: Path, db_path: Path) -> None:
    """No usable database: a directory that shows it held a library is damaged, never silently re-created."""
    index = directory / paths.INDEX_DIRNAME
    backups = list_backups(directory / paths.BACKUP_DIRNAME)
    if not (index.exists() or backups):
        return
    state = "empty" if db_path.exists() else "missing"
    raise DamagedLibraryError(f"library {directory} is damaged: its database {db_path.name} is {state} "
                              f"but the library was in use; {_advice(directory, backups[:1])}")


def _advice(directory: Path, newest: list[Path]) -> str:
    if newest:
        return (f"restore the newest backup with vkref.library.opening.restore_backup({str(directory)!r}, "
                f"{newest[0].name!r}), or move the directory away to start afresh")
    return "no backup exists: move the directory away to start afresh from the bundled library"


def _check_integrity(db: Database, db_path: Path, unclean: bool) -> None:
    if not (unclean or _size(db_path) <= ALWAYS_CHECK_BYTES):
        return
    if db.quick_check() is not None:
        raise DamagedLibraryError(db.damaged)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size + Path(f"{path}-wal").stat().st_size if Path(f"{path}-wal").exists() \
            else path.stat().st_size
    except OSError:
        return 0


# ------------------------------------------------------------------------ read-only and full disks


def _read_only_reason(directory: Path, db_path: Path) -> str:
    if not _can_write(directory) or (db_path.exists() and not os.access(db_path, os.W_OK)):
        return "read-only"
    if shutil.disk_usage(directory).free < 64 * 1024:
        return "disk full"
    return ""


def _can_write(directory: Path) -> bool:
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    if not os.access(directory, os.W_OK):
        return False
    probe = directory / f".vkref-probe-{uuid.uuid4().hex[:8]}"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError:
        return False
    return True


def _open_read_only(directory: Path, db_path: Path, reason: str) -> Opened:
    """``mode=ro`` when SQLite can still make its -shm file; ``immutable=1`` when it cannot (or fails)."""
    backups = directory / paths.BACKUP_DIRNAME
    for immutable in (False, True):
        db = Database.open_sqlite(db_path, backup_dir=backups, read_only=True, immutable=immutable)
        try:
            db.current_revision()
        except DamagedLibraryError:
            raise
        except LibraryError:
            db.dispose()
            if immutable:
                raise
            continue
        wal = Path(f"{db_path}-wal")
        if immutable and wal.exists() and wal.stat().st_size > 0:
            break  # immutable=1 would ignore the committed changes still in the -wal file
        if db_path.stat().st_size <= ALWAYS_CHECK_BYTES and db.quick_check() is not None:
            raise DamagedLibraryError(db.damaged)
        db.read_only_reason = reason
        db.migrate()  # refuses a database that would need an upgrade, with a clear message
        return Opened(db, False, True, reason)
    raise LibraryError(f"library {directory} is {reason} and its unfinished changes (the -wal file) cannot "
                       "be read: open it once where it can be written")


def read_only_index(lib) -> None:
    """Make a read-only library searchable: keep its index when complete, else build one in a temporary
    directory (removed when the library is garbage-collected or the process ends). Never writes the library."""
    from vkref.search import SearchService
    from vkref.store import repository as repo

    newest = repo.outbox_max_id(lib.db)
    index = lib.search_service.index
    if index.problem() is None and index.last_change() >= newest:
        lib._applied = newest
        return
    tmp = Path(tempfile.mkdtemp(prefix="vkref-readonly-index-"))
    weakref.finalize(lib, shutil.rmtree, tmp, True)
    lib.search_service.close()
    lib.search_service = SearchService(tmp / paths.INDEX_DIRNAME, lib.library_id, lib.vocabulary)
    lib.search_service.index.rebuild(lib.iter_documents(), newest)
    lib._applied = newest


# ------------------------------------------------------------------------ unclean shutdowns


_HELD: set[str] = set()  # run files this process holds (a library directory copied while open has a stale one)


class RunFile:
    """``running/<pid>-<random>``, locked while this process has the library open and removed at close. A
    file that can be locked by someone else belongs to a dead process: the last run did not shut down cleanly."""

    def __init__(self, path: Path | None, handle, unclean: bool):
        self.path, self._handle, self.unclean = path, handle, unclean
        self._pid = os.getpid()
        if handle is not None:  # a process that ends normally without closing the library shut down cleanly
            atexit.register(self.stop)

    @classmethod
    def start(cls, directory: Path) -> "RunFile":
        run_dir = directory / paths.RUN_DIRNAME
        try:
            run_dir.mkdir(exist_ok=True)
            unclean = _clear_dead(run_dir)
            path = run_dir / f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
            handle = open(path, "a+b")
            _lock(handle)
        except OSError:  # no run file on a disk that refuses it: the check just happens by size
            return cls(None, None, False)
        _HELD.add(str(path.resolve()))
        return cls(path, handle, unclean)

    def stop(self) -> None:
        atexit.unregister(self.stop)
        if self._handle is not None and os.getpid() == self._pid:  # never a forked child's copy
            self._handle.close()
            self._handle = None
            if self.path is not None:
                _HELD.discard(str(self.path.resolve()))
                self.path.unlink(missing_ok=True)


@contextmanager
def open_lock(directory: Path) -> Iterator[None]:
    """Hold ``running/open.lock`` while a process opens the library (database checks, creation, first index
    build): a second process opening at the same moment waits, then finds the work done. Where the lock file
    cannot be made (read-only places) there is nothing to serialise: nobody can write there."""
    try:
        (directory / paths.RUN_DIRNAME).mkdir(parents=True, exist_ok=True)
        handle = open(directory / paths.RUN_DIRNAME / OPEN_LOCK, "a+b")
    except OSError:
        yield
        return
    try:
        _lock(handle, wait=True)
        yield
    finally:
        handle.close()  # closing releases the lock


def _run_files(run_dir: Path) -> list[Path]:
    return [p for p in run_dir.iterdir() if p.name != OPEN_LOCK]


def _clear_dead(run_dir: Path) -> bool:
    dead = False
    for path in _run_files(run_dir):
        if str(path.resolve()) in _HELD:
            continue  # this process's own (another Library open in it); a copied file with our pid is not

        try:
            with open(path, "a+b") as fh:
                _lock(fh)  # succeeds only when the owner is gone
        except OSError:
            continue
        dead = True
        path.unlink(missing_ok=True)
    return dead


def _lock(handle, wait: bool = False) -> None:
    """An exclusive lock held as long as the file is open; without ``wait``, OSError when someone holds it."""
    try:
        import fcntl
    except ImportError:  # Windows: LK_LOCK itself gives up after 10 s, so keep asking
        import msvcrt

        while True:
            handle.seek(0)
            try:
                msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK if wait else msvcrt.LK_NBLCK, 1)
                return
            except OSError:
                if not wait:
                    raise
    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))


# ------------------------------------------------------------------------ restoring


def restore_backup(library_dir: str | os.PathLike, name: str) -> Path:
    """Put the backup ``backups/<name>`` in place of the library's database and drop the search index (it
    is rebuilt from the restored database at the next open). The replaced database, if any, is kept beside it
    as ``library.sqlite.replaced-<n>``. Refused while another process has the library open."""
    directory = Path(library_dir)
    backup = directory / paths.BACKUP_DIRNAME / name
    if Path(name).name != name or not backup.is_file():
        raise LibraryError(f"no backup {name!r} in {backup.parent}")
    problem = check_file(backup)
    if problem:
        raise DamagedLibraryError(f"backup {backup} is damaged too ({problem}): choose an older one")
    run_dir = directory / paths.RUN_DIRNAME
    if run_dir.is_dir():
        _clear_dead(run_dir)
        if _run_files(run_dir):
            raise LibraryError(f"library {directory} is open in another vkref: close it before restoring")
    db_path = directory / paths.DB_FILENAME
    if db_path.exists() and db_path.stat().st_size:
        shutil.copy2(db_path, _free_name(db_path))
    restore_file(backup, db_path)
    shutil.rmtree(directory / paths.INDEX_DIRNAME, ignore_errors=True)
    return db_path


def _free_name(db_path: Path) -> Path:
    n = 1
    while (candidate := db_path.with_name(f"{db_path.name}.replaced-{n}")).exists():
        n += 1
    return candidate
