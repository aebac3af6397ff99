"""Fixtures of the shared-catalog tests: one PostgreSQL server per test session (see ``pgserver.py``), a
catalog made once from the bundled library and copied (``CREATE DATABASE ... TEMPLATE``) for every test.

Skipped, with the reason, only when PostgreSQL cannot be installed or started at all; CI (``CI=true``) fails
instead of skipping."""
from __future__ import annotations

import os
import itertools

import pytest

from tests.catalog.pgserver import PgServer

_names = itertools.count(1)


@pytest.fixture(scope="session")
def pg():
    try:
        server = PgServer().init()
    except Exception as exc:  # no initdb/pg_ctl, or the server would not start
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL cannot be started here ({str(exc).splitlines()[0][:200]})")
    yield server
    server.destroy()


@pytest.fixture(scope="session")
def template_catalog(pg) -> str:
    """A catalog made by ``Library.init_catalog`` (schema, bundled library, reader and curator roles)."""
    from vkref.library import Library

    url = pg.new_database("vkref_template")
    Library.init_catalog(url, reader="vk_reader", curator="vk_curator")
    pg.sql("CREATE ROLE clinician LOGIN IN ROLE vk_reader")
    pg.sql("CREATE ROLE curator1 LOGIN IN ROLE vk_curator")
    return url


@pytest.fixture
def catalog_url(pg, template_catalog) -> str:
    """A private catalog for one test (a copy of the template database)."""
    name = f"vkref_t{next(_names)}"
    pg.sql('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = \'vkref_template\'')
    pg.sql(f'CREATE DATABASE "{name}" TEMPLATE vkref_template')
    return pg.url(name)


@pytest.fixture
def open_client(tmp_path, catalog_url):
    """``open_client(name, url=None)``: a Library on the catalog with its own library directory (a computer)."""
    from vkref.library import Library

    opened = []

    def make(name: str = "a", url: str | None = None) -> Library:
        lib = Library.open(tmp_path / name, catalog=url or catalog_url)
        opened.append(lib)
        return lib

    yield make
    for lib in opened:
        lib.close()
