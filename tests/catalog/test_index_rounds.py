"""A record changed again between two rounds of one index catch-up is indexed once (found by the four-curator
run: another writer commits while a client applies the change log in rounds; Whoosh's delete_by_term does not
reach a document added earlier in the same writer)."""
from __future__ import annotations

import dataclasses

from vkref.library import curation
from vkref.store import repository as repo


def test_a_record_changed_in_two_rounds_is_indexed_once(fresh_library, monkeypatch):
    lib = fresh_library
    fid = lib.search("", kind="finding", limit=1).hits[0].id
    for word in ("firstroundword", "secondroundword"):
        f = dataclasses.replace(lib.get_finding(fid), effect_size=word)
        curation.write(lib, "edit", word, "test", findings=[f], sync=False)
    real = repo.outbox_pending
    monkeypatch.setattr(repo, "outbox_pending", lambda db, after, limit=5000: real(db, after, limit=1))
    assert lib.sync_index() >= 2
    page = lib.search("secondroundword")
    assert page.total == 1 and [h.id for h in page.hits] == [fid]
    assert lib.search("firstroundword").total == 0
