"""A throw-away PostgreSQL server for the catalog tests: ``initdb`` and ``pg_ctl`` from Debian's ``postgresql``
package (installed by ``scripts/bootstrap.sh``) in a temporary directory, listening on a loopback port.

``initdb`` refuses to run as root, so as root the server runs as the ``postgres`` system user (made by the
package) through ``runuser``; as anyone else it runs as that user. Trust authentication on loopback only.
"""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def find_bin(name: str) -> str | None:
    """``initdb``/``pg_ctl`` of the newest PostgreSQL under /usr/lib/postgresql, else on PATH."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4]))
    return found[-1] if found else shutil.which(name)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgServer:
    def __init__(self):
        self.initdb, self.pg_ctl = find_bin("initdb"), find_bin("pg_ctl")
        if not (self.initdb and self.pg_ctl):
            raise RuntimeError("PostgreSQL's initdb/pg_ctl are not installed (scripts/bootstrap.sh installs them)")
        self._as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        # as root, in /tmp itself: the postgres user must be able to reach the directory (TMPDIR may be private)
        self.root = Path(tempfile.mkdtemp(prefix="vkref-pg-", dir="/tmp" if self._as else None))
        self.data = self.root / "data"
        self.port = _free_port()
        if self._as:
            shutil.chown(self.root, "postgres", "postgres")

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run([*self._as, *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              check=check, timeout=120)

    def init(self) -> "PgServer":
        self._run(self.initdb, "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-sync")
        conf = (f"listen_addresses = '127.0.0.1'\nport = {self.port}\nunix_socket_directories = '{self.root}'\n"
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\nmax_connections = 60\n")
        with open(self.data / "postgresql.conf", "a") as fh:
            fh.write(conf)
        return self.start()

    def start(self) -> "PgServer":
        self._run(self.pg_ctl, "-D", str(self.data), "-l", str(self.root / "log"), "-w", "-t", "60", "start")
        return self

    def stop(self, mode: str = "fast") -> None:
        self._run(self.pg_ctl, "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def running(self) -> bool:
        return self._run(self.pg_ctl, "-D", str(self.data), "status", check=False).returncode == 0

    def url(self, db: str = "postgres", user: str = "postgres") -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{db}"

    def sql(self, statement: str, db: str = "postgres") -> None:
        import psycopg

        with psycopg.connect(self.url(db), autocommit=True) as conn:
            conn.execute(statement)

    def new_database(self, name: str) -> str:
        self.sql(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def destroy(self) -> None:
        self.stop("immediate")
        for _ in range(20):
            try:
                shutil.rmtree(self.root)
                return
            except OSError:
                time.sleep(0.1)


def wait_until(predicate, timeout: float = 30.0, step: float = 0.05):
    """Poll ``predicate`` until it is true (for processes outside Qt's event loop); False on timeout."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()
