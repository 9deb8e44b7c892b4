"""Firestore: native mode, exactly the composite indexes the code's queries need, TTL on known collections."""

from __future__ import annotations

from tests.infra.parsed import collection_names, composite_indexes, expression, infra

ORDERS = {"ASCENDING", "DESCENDING"}
# Collections whose records are short-lived by design (ARCHITECTURE.md: oauth_states, runs; and the oauth
# part's refresh leases and RISC de-duplication markers).
EXPIRING = {"oauth_states", "refresh_leases", "risc_events", "runs"}


def _declared_indexes() -> set[tuple[str, tuple[tuple[str, str], ...]]]:
    declared = set()
    for index in infra().locals["composite_indexes"]:
        fields = tuple((field["field_path"], field["order"]) for field in index["fields"])
        declared.add((index["collection"], fields))
    return declared


def test_every_query_shape_the_code_declares_has_an_index() -> None:
    missing = composite_indexes() - _declared_indexes()
    assert not missing, f"add these to local.composite_indexes in infra/firestore.tf: {sorted(missing)}"


def test_terraform_declares_no_index_nobody_uses() -> None:
    unused = _declared_indexes() - composite_indexes()
    assert not unused, f"indexes no query declares (mail2task.store.COMPOSITE_INDEXES): {sorted(unused)}"


def test_index_shapes_are_valid_composites() -> None:
    for collection, fields in composite_indexes() | _declared_indexes():
        assert len(fields) >= 2, f"{collection}: a composite index has at least two fields"
        assert all(order in ORDERS for _, order in fields), f"{collection}: order must be one of {ORDERS}"
        assert len({name for name, _ in fields}) == len(fields), f"{collection}: repeated field"
    index = infra().resource("google_firestore_index", "composite")
    assert "local.composite_indexes" in expression(index["for_each"])
    assert expression(index["database"]) == "google_firestore_database.this.name"
    content = index["dynamic"][0]["fields"]["content"][0]
    assert expression(content["field_path"]) == "fields.value.field_path"
    assert expression(content["order"]) == "fields.value.order"


def test_database_is_native_mode_and_protected() -> None:
    database = infra().resource("google_firestore_database", "this")
    assert database["type"] == "FIRESTORE_NATIVE"
    assert "DELETE_PROTECTION_ENABLED" in expression(database["delete_protection_state"])
    assert expression(database["name"]) == "var.firestore.database"


def test_ttl_policies_cover_the_expiring_collections() -> None:
    from mail2task import store

    module = infra()
    groups = module.locals["ttl_collection_groups"]
    declared = {group for names in groups.values() for group in names}
    tenant = set(getattr(store, "TENANT_TTL_COLLECTION_GROUPS", ()))
    # tests/emulator/tenancy/test_offboarding_ttl.py checks that this list is exactly what offboarding
    # stamps (walking every subcollection the code writes) and that each stamped group has a policy here.
    assert set(groups["tenant"]) == tenant, (
        "ttl_collection_groups.tenant must equal TENANT_TTL_COLLECTION_GROUPS"
    )
    assert set(groups["oauth"]) == EXPIRING, "consent starts, leases, RISC markers and run markers expire"
    unknown = declared - collection_names() - tenant
    assert not unknown, f"TTL on collections mail2task.store does not name: {sorted(unknown)}"
    assert module.locals["ttl_field"] == "expiresAt", (
        "the TTL field convention is expiresAt (infra/README.md)"
    )
    field = module.resource("google_firestore_field", "ttl")
    assert expression(field["for_each"]) == "toset(flatten(values(local.ttl_collection_groups)))"
    assert expression(field["field"]) == "local.ttl_field"
    assert field["ttl_config"] == [{}]
    assert field["index_config"] == [{}], "TTL fields are exempt from single-field indexes"
