"""The shared catalog on a real PostgreSQL server (issue 15): schema and roles, optimistic concurrency with a
merge proposal, every client's index following the change log, and the server going away."""
from __future__ import annotations

import socket
import threading

import pytest

from vkref.core.errors import CatalogOfflineError, ConflictError, EditConflict, ReadOnlyLibraryError


def _events(lib):
    """Threading events set by the catalog listener: changed, offline, online."""
    seen = {name: threading.Event() for name in ("changed", "offline", "online")}
    lib.on_catalog_event(lambda event, detail: seen[event].set())
    return seen


def _finding_id(lib) -> str:
    return lib.search("", kind="finding", limit=1).hits[0].id


def _doc_set(lib) -> list:
    page = lib.search("", limit=100000)
    # a review's facet values are a set (their order follows how its findings were read)
    return sorted((h.kind, h.id, h.title, h.text, repr(sorted((f, sorted(v)) for f, v in h.facets.items())))
                  for h in page.hits)


# ---------------------------------------------------------------------------- schema and roles


def test_init_creates_the_schema_and_is_idempotent(pg, catalog_url):
    from vkref.library import Library
    from vkref.store.database import HEAD_REVISION

    again = Library.init_catalog(catalog_url)
    assert again["schema"] == HEAD_REVISION and again["reviews"] > 0 and again["done"] == []


def test_migrations_0001_and_0002_upgrade_on_postgresql(pg):
    """An old catalog (schema 0002, made by Alembic on the server) is upgraded to the head with its rows."""
    from alembic import command
    from sqlalchemy import create_engine, text

    from vkref.library import Library
    from vkref.store.database import HEAD_REVISION, alembic_config

    url = pg.new_database("vkref_old")
    engine = create_engine(url.replace("postgresql:", "postgresql+psycopg:", 1))
    with engine.begin() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0002")
        conn.execute(text("INSERT INTO library_meta (key, value) VALUES ('uuid', 'old')"))
    engine.dispose()
    result = Library.init_catalog(url)
    assert result["schema"] == HEAD_REVISION and result["reviews"] > 0


def test_a_reader_role_is_refused_by_the_server(tmp_path, pg, catalog_url, open_client):
    reader = open_client("clinic", catalog_url.replace("postgres@", "clinician@"))
    fid = _finding_id(reader)
    assert reader.search("vitamin").total > 0
    status = reader.catalog_status()
    assert status["role"] == "clinician" and status["can_write"] is False and reader.read_only
    with pytest.raises(ReadOnlyLibraryError, match="may only read"):
        reader.edit(fid, {"dose": "1 mg"})  # no client-side check stops it: PostgreSQL refuses the UPDATE
    curator = open_client("desk", catalog_url.replace("postgres@", "curator1@"))
    assert curator.edit(fid, {"dose": "2 mg"})["batch"]
    assert curator.get_finding(fid).dose == "2 mg"


# ---------------------------------------------------------------------------- optimistic concurrency


def test_two_clients_edit_the_same_finding_one_wins_the_other_gets_a_merge(open_client):
    a, b = open_client("a"), open_client("b")
    fid = _finding_id(a)
    seen = b.get_finding(fid).version
    assert a.edit(fid, {"dose": "45 mg/day", "sample_size": "n=120"}, if_version=seen, who="alice")["version"] \
        == seen + 1
    with pytest.raises(EditConflict) as err:
        b.edit(fid, {"dose": "90 mg/day", "duration": "3 years"}, if_version=seen, who="bob")
    message, p = str(err.value), err.value.proposal
    assert "\n" not in message and f"version {seen + 1}, not {seen}" in message and "alice" in message
    assert p["changed_by"][0]["who"] == "alice (postgres@" + socket.gethostname() + ")"  # who, as which role where
    assert set(p["changed_by"][0]["fields"]) == {"dose", "sample_size"}
    assert p["fields"]["dose"]["state"] == "conflict" and p["fields"]["dose"]["theirs"] == "45 mg/day"
    assert p["fields"]["duration"] == {"base": p["fields"]["duration"]["base"], "mine": "3 years",
                                       "theirs": p["fields"]["duration"]["base"], "state": "mine"}
    after = b.get_finding(fid)  # nothing of bob's edit was saved
    assert (after.dose, after.version) == ("45 mg/day", seen + 1) and after.duration != "3 years"
    assert [c["who"].split()[0] for c in b.history(fid) if c["version"] > seen] == ["alice", "alice"]
    # bob's edit was not lost: the proposal saves with the new version
    merged = {k: v for k, v in p["merged"].items()}
    assert b.edit(fid, merged, if_version=p["version"], who="bob")["version"] == seen + 2
    final = a.get_finding(fid)
    assert (final.dose, final.duration, final.sample_size) == ("90 mg/day", "3 years", "n=120")


def test_a_stale_version_fails_the_whole_batch(open_client):
    a, b = open_client("a"), open_client("b")
    ids = [h.id for h in a.search("", kind="finding", limit=2).hits]
    first, second = a.get_finding(ids[0]), a.get_finding(ids[1])
    b.edit(ids[1], {"dose": "winner"})
    first.dose, second.dose = "loser 1", "loser 2"
    from vkref.library import curation

    with pytest.raises(ConflictError):
        curation.write(a, "edit", "two findings", "carol", findings=[first, second],
                       expect={ids[0]: first.version, ids[1]: second.version})
    assert a.get_finding(ids[0]).dose != "loser 1" and a.get_finding(ids[1]).dose == "winner"


# ---------------------------------------------------------------------------- every index in step


def test_a_change_reaches_another_client_by_notification(open_client):
    a, b = open_client("a"), open_client("b")
    seen = _events(b)
    fid = _finding_id(a)
    a.edit(fid, {"effect_size": "zyxwquartz"})
    assert seen["changed"].wait(20)
    assert b.search("zyxwquartz").total == 1 and b.catalog_status()["lag"] == 0


def test_a_missed_notification_costs_nothing(open_client):
    a, b = open_client("a"), open_client("b")
    b.catalog.stop()  # b hears nothing any more
    a.edit(_finding_id(a), {"effect_size": "plumbquokka"})
    assert b.search("plumbquokka").total == 1  # a search catches up by sequence


def test_a_client_older_than_the_pruned_log_rebuilds(tmp_path, catalog_url, open_client):
    from vkref.library import Library

    b = open_client("b")
    b.close()
    a = open_client("a")
    for n in range(3):
        a.edit(_finding_id(a), {"effect_size": f"prunedword{n}"})
    a.catalog._record_position(force=True)
    assert a.prune_catalog(days=0) > 0
    b = Library.open(tmp_path / "b", catalog=catalog_url)
    try:
        assert b.search("prunedword2").total == 1
        assert _doc_set(b) == _doc_set(a)
    finally:
        b.close()


def test_undo_reaches_the_other_client(open_client):
    a, b = open_client("a"), open_client("b")
    fid = _finding_id(a)
    a.edit(fid, {"effect_size": "undoneword"})
    assert b.search("undoneword").total == 1
    seen = _events(b)
    a.undo()
    assert seen["changed"].wait(20)
    assert b.search("undoneword").total == 0


def test_undo_takes_back_my_own_change_not_a_colleagues(catalog_url, open_client):
    mine, colleague = open_client("a"), open_client("b", catalog_url.replace("postgres@", "curator1@"))
    ids = [h.id for h in mine.search("", kind="finding", limit=2).hits]
    mine.edit(ids[0], {"effect_size": "my change"})
    colleague.edit(ids[1], {"effect_size": "their change"})  # newer, by another curator
    assert mine.can_undo() == f"edit: edit {ids[0]}"
    mine.undo()
    assert mine.get_finding(ids[0]).effect_size != "my change"
    assert mine.get_finding(ids[1]).effect_size == "their change"
    assert colleague.can_undo() == f"edit: edit {ids[1]}"


# ---------------------------------------------------------------------------- server away


def test_server_away_search_goes_on_read_only_then_catches_up(pg, open_client):
    a, b = open_client("a"), open_client("b")
    fid = _finding_id(a)
    before = b.search("vitamin").total
    seen = _events(b)
    pg.stop("immediate")
    try:
        assert seen["offline"].wait(30)
        assert b.search("vitamin").total == before  # from this computer's index
        assert b.read_only and b.catalog_status()["online"] is False
        with pytest.raises(CatalogOfflineError) as err:
            b.edit(fid, {"dose": "offline edit"})
        assert "\n" not in str(err.value) and "nothing was saved" in str(err.value)
    finally:
        pg.start()
    assert seen["online"].wait(30)
    seen["changed"].clear()
    a.edit(fid, {"effect_size": "backagainword"})
    assert seen["changed"].wait(20)
    assert b.search("backagainword").total == 1 and not b.read_only
    assert b.get_finding(fid).dose != "offline edit"  # nothing was queued


def test_a_desktop_started_while_the_server_is_away_searches_its_own_copy(pg, tmp_path, catalog_url):
    from vkref.library import Library

    first = Library.open(tmp_path / "ward", catalog=catalog_url)
    fid = _finding_id(first)
    expected = _doc_set(first)
    expected_reviews = [d for d in expected if d[0] == "review"]
    first.close()
    pg.stop("immediate")
    try:
        with pytest.raises(CatalogOfflineError, match="nothing to search yet"):
            Library.open(tmp_path / "new-desk", catalog=catalog_url)  # never connected: nothing to search
        lib = Library.open(tmp_path / "ward", catalog=catalog_url)
        seen = _events(lib)
        assert lib.read_only and lib.catalog_status()["online"] is False
        info = lib.info()  # vkref info answers too
        assert info["catalog"]["online"] is False and info["reviews"] == len(expected_reviews)
        assert _doc_set(lib) == expected  # labels and citations from the snapshot, hits from the index
        with pytest.raises(CatalogOfflineError):
            lib.edit(fid, {"dose": "refused"})
    finally:
        pg.start()
    try:
        assert seen["online"].wait(30)
        assert not lib.read_only
        lib.edit(fid, {"effect_size": "afteroutageword"})
        assert lib.search("afteroutageword").total == 1
    finally:
        lib.close()
