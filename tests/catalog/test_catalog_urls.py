"""Catalog URLs without a server: the driver, sslmode and service passed to libpq, passwords never shown or kept."""
from __future__ import annotations

import pytest

from vkref.core.errors import UsageError


def test_sslmode_and_service_reach_libpq():
    from sqlalchemy import create_engine

    from vkref.store import catalog

    for url, key, value in (("postgresql://alice@db.example/vkref?sslmode=require", "sslmode", "require"),
                            ("postgresql:///?service=vkref", "service", "vkref")):
        engine = create_engine(catalog.engine_url(url))
        _, kwargs = engine.dialect.create_connect_args(engine.url)
        assert engine.dialect.driver == "psycopg" and kwargs[key] == value
        engine.dispose()


def test_passwords_are_never_shown_or_kept():
    from vkref.library import Library
    from vkref.store import catalog

    url = "postgresql://alice:s3cret@db.example:5433/vkref?sslmode=verify-full"
    assert "s3cret" not in catalog.safe_url(url) and "sslmode=verify-full" in catalog.safe_url(url)
    assert catalog.has_password(url) and not catalog.has_password(catalog.safe_url(url))
    assert "password" in Library.catalog_url_problem(url)
    assert Library.catalog_url_problem(catalog.safe_url(url)) is None and Library.catalog_url_problem("") is None
    assert "not a postgresql" in Library.catalog_url_problem("sqlite:///x.db")
    with pytest.raises(UsageError):
        catalog.engine_url("mysql://db/x")
