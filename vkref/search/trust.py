"""Trust in an index directory: Whoosh never reads a file that this user's vkref did not write.

Whoosh unpickles its table of contents and its stored fields, so a planted ``index/`` folder (a library copied
from a colleague, a shared drive, a USB stick) could run code at open. Before Whoosh opens or re-reads an index,
every file it could read is checked against ``vkref-signature.json``: a keyed BLAKE2b digest per file, under a
secret key kept in the user's configuration directory — outside every library, so whoever hands over a library
cannot sign its index. A file that is missing from the signature or does not match makes the index "not
trusted": it is rebuilt from the database (the truth), never opened.

Invariants
- The signature is written after every commit and before a rebuilt directory is swapped in. A writer holds the
  index's sign lock from taking Whoosh's writer lock until its commit is signed, so a reader that finds a file
  not yet signed waits for that lock and checks again before it calls the index untrusted.
- A file's digest is computed once per process: it is reused while the file's identity (device, inode, size,
  mtime and ctime) is unchanged (Whoosh never rewrites a segment or a table of contents in place).
- Across processes, digests are remembered in ``index-digests.json`` beside the key (:class:`DigestMemory`),
  so a fresh process does not read 170 MB of index at 100,000 findings before its first search. A remembered
  digest is used only when the file's identity is exactly the one it was computed for, and only where that
  identity cannot be forged: on POSIX systems (where ctime is the kernel's time of the last change of the file's
  content or metadata, which no unprivileged program can set), for files on the same file system as the key
  file (the user's own disk: a removable FAT stick keeps no ctime of its own, a network share's timestamps are
  the server's). Every way of handing over an index — copying it, unpacking it, writing it on another computer
  or rewriting a file in place, even with its old size and mtime put back — gives it a new inode or a new ctime,
  so its files are hashed again. (A program writing into a file within the same tick of the file system's
  clock as vkref hashes it could keep the ctime; such a program writes into the library on this computer
  while vkref runs, and could as well change a file between its hashing and Whoosh's reading, which hashing
  never prevented.) Libraries elsewhere (other file systems; Windows, whose ctime is a settable creation
  time) are hashed at every first use in a process, as before. The memory file is as private as the key
  (mode 0600, the same directory): whoever can write it can read the key and sign anything, so it adds no way
  in; a memory made under another key is ignored.
- vkref's own JSON files (facet sidecars, progress) and Whoosh's lock files are never unpickled and are not
  signed; the temporary file of a table of contents being written is not read by Whoosh and is skipped.
- Without a usable key file (an unwritable configuration directory) the key lives in memory only: indexes are
  then trusted within one process and rebuilt at the next open — safe, only slower.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import secrets
import threading
from pathlib import Path

SIGNATURE_FILE = "vkref-signature.json"
KEY_ENV = "VKREF_INDEX_KEY"  # path of the key file (tests, portable installs); default: user config dir
KEY_BYTES = 32
_UNSIGNED = re.compile(r"(^vkref-)|(WRITELOCK$)|(READLOCK$)|(\.lock$)|(\.toc\..+$)")
CHUNK = 1 << 20
log = logging.getLogger("vkref.search.trust")

_key: bytes | None = None
_key_lock = threading.Lock()


def key_path() -> Path:
    explicit = os.environ.get(KEY_ENV)
    if explicit:
        return Path(explicit)
    from platformdirs import user_config_dir

    return Path(user_config_dir("vkref", appauthor=False)) / "index.key"


def user_key() -> bytes:
    """This user's signing key, created (mode 0600) on first use."""
    global _key
    with _key_lock:
        if _key is None:
            _key = _load_or_create(key_path())
        return _key


def _load_or_create(path: Path) -> bytes:
    try:
        data = path.read_bytes()
        if len(data) == KEY_BYTES:
            return data
        log.warning("index key %s has the wrong size; a new key is made (indexes are rebuilt once)", path)
    except FileNotFoundError:
        pass
    except OSError as exc:
        log.warning("index key %s cannot be read (%s); using a key for this process only", path, exc)
        return secrets.token_bytes(KEY_BYTES)
    key = secrets.token_bytes(KEY_BYTES)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(key)
        try:
            os.link(tmp, path)  # first writer wins when two processes create the key at once
        except FileExistsError:
            key = path.read_bytes()
        except OSError:
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
    except OSError as exc:
        log.warning("index key %s cannot be written (%s); using a key for this process only", path, exc)
    return key


def signed_names(directory: Path) -> list[str]:
    """The files of ``directory`` that Whoosh may read (and so must be signed)."""
    try:
        names = os.listdir(directory)
    except FileNotFoundError:
        return []
    return sorted(n for n in names if not _UNSIGNED.search(n) and (directory / n).is_file())


def digest(path: Path, key: bytes) -> str:
    h = hashlib.blake2b(key=key, digest_size=32)
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def _stat_key(path: Path) -> tuple:
    """The file's identity: any change of content, a replacement or a copy gives a new one (see above)."""
    st = os.stat(path)
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


class DigestMemory:
    """Digests remembered across processes, by absolute path and file identity (module docstring)."""

    FILE = "index-digests.json"
    ENTRIES = 512  # the newest kept: a few libraries' segments

    def __init__(self):
        self._files: dict[str, list] | None = None  # path -> [*identity, digest]; read on first use
        self._device: int | None = None
        self._key_print = ""  # the key the memory was read for: another key (tests) makes it unusable
        self._dirty = False
        self._lock = threading.Lock()

    def _path(self) -> Path:
        return key_path().with_name(self.FILE)

    def _fingerprint(self) -> str:
        return hashlib.blake2b(b"vkref index digest memory", key=user_key(), digest_size=16).hexdigest()

    def _load(self) -> dict[str, list]:
        if self._files is None:
            self._files = {}
            try:
                fingerprint = self._key_print = self._fingerprint()  # makes the key in a first-ever process
                self._device = os.stat(key_path()).st_dev  # no key file (a key in memory only): nothing kept
                data = json.loads(self._path().read_text(encoding="utf-8"))
                if data.get("key") == fingerprint and isinstance(data.get("files"), dict):
                    self._files = data["files"]
            except (OSError, ValueError, AttributeError):
                pass
        return self._files

    def usable(self, identity: tuple) -> bool:
        """Whether a remembered digest may stand for a file of this identity (module docstring)."""
        with self._lock:
            self._load()
            return (os.name == "posix" and identity[1] != 0 and identity[0] == self._device
                    and self._key_print == self._fingerprint())

    def recall(self, path: Path, identity: tuple) -> str | None:
        with self._lock:
            held = self._load().get(str(path))
        if isinstance(held, list) and len(held) == len(identity) + 1 and tuple(held[:-1]) == identity:
            return held[-1]
        return None

    def keep(self, path: Path, identity: tuple, value: str) -> None:
        with self._lock:
            files = self._load()
            files.pop(str(path), None)  # re-inserted as the newest
            files[str(path)] = [*identity, value]
            for old in list(files)[:-self.ENTRIES]:
                del files[old]
            self._dirty = True

    def save(self) -> None:
        """Write the memory if it grew (another process's entries may be lost: they are only recomputed)."""
        with self._lock:
            if not self._dirty or self._files is None:
                return
            self._dirty = False
            target = self._path()
            tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
            try:
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    json.dump({"version": 1, "key": self._fingerprint(), "files": self._files}, fh)
                os.replace(tmp, target)
            except OSError as exc:  # only slower: the next process hashes again
                log.debug("index digest memory %s not written (%s)", target, exc)
                tmp.unlink(missing_ok=True)


memory = DigestMemory()


class Trust:
    """The signature of one index directory and the digests this process already checked or wrote."""

    def __init__(self):
        self._known: dict[tuple[str, str], tuple[tuple, str]] = {}  # (directory, name) -> (stat key, digest)
        self._lock = threading.Lock()

    def _digest(self, directory: Path, name: str) -> str:
        path = directory / name
        stat = _stat_key(path)
        held = self._known.get((str(directory), name))
        if held is not None and held[0] == stat:
            return held[1]
        remember = memory.usable(stat)
        absolute = path.absolute()
        value = memory.recall(absolute, stat) if remember else None
        if value is None:
            value = digest(path, user_key())
            if remember:
                memory.keep(absolute, stat, value)
        self._known[(str(directory), name)] = (stat, value)
        return value

    def problem(self, directory: Path) -> str | None:
        """None when every file Whoosh may read is signed by this user's vkref, else why not."""
        try:
            return self._problem(Path(directory))
        finally:
            memory.save()

    def _problem(self, directory: Path) -> str | None:
        with self._lock:
            try:
                signature = json.loads((directory / SIGNATURE_FILE).read_text(encoding="utf-8"))
                files = signature["files"]
                if not isinstance(files, dict):
                    raise TypeError
            except FileNotFoundError:
                return "not signed by this computer's vkref" if signed_names(directory) else None
            except (OSError, ValueError, KeyError, TypeError):
                return "its signature file is unreadable"
            for name in signed_names(directory):
                try:
                    value = self._digest(directory, name)
                except FileNotFoundError:
                    continue  # removed by Whoosh's clean-up since the listing
                except OSError as exc:
                    return f"file {name} cannot be read ({exc.strerror or exc.__class__.__name__})"
                if files.get(name) != value:
                    self._known.pop((str(directory), name), None)
                    return f"file {name} is not signed by this computer's vkref"
            return None

    def sign(self, directory: Path) -> None:
        """Write the signature of every file now in ``directory`` (the caller wrote them or checked them)."""
        directory = Path(directory)
        with self._lock:
            files = {}
            for name in signed_names(directory):
                try:
                    files[name] = self._digest(directory, name)
                except FileNotFoundError:
                    continue
            live = {(str(directory), n) for n in files}
            for k in [k for k in self._known if k[0] == str(directory) and k not in live]:
                del self._known[k]
            target = directory / SIGNATURE_FILE
            tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps({"version": 1, "files": files}, sort_keys=True), encoding="utf-8")
            os.replace(tmp, target)
        memory.save()

    def moved(self, source: Path, target: Path) -> None:
        """``source`` was renamed to ``target`` (a rebuild swapped in): its checked digests stay valid."""
        with self._lock:
            for (d, name), value in list(self._known.items()):
                if d == str(source):
                    self._known[(str(target), name)] = value
                    del self._known[(d, name)]
