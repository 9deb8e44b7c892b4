"""Adding and removing people, app admins, the member list, and refusals (non-admins, other tenants)."""

from __future__ import annotations

import pytest

from mail2task.errors import BadRequest, Conflict
from mail2task.identity import Identity
from mail2task.tenancy import admins, admission, people, policy
from mail2task.tenancy.authz import NotAppAdmin, OutsideTenant, require_admin
from mail2task.tenancy.members import list_members
from mail2task.tenancy.model import Tenant, member_state
from tests.emulator.tenancy.harness import Stack


def _states(env: Stack, tenant: str) -> dict[str, str]:
    record = Tenant.from_dict(tenant, env.tenant_doc(tenant))
    page = list_members(tenant, everyone=True, limit=100)
    return {m.email: member_state(record, m) for m in page.members}


def test_add_then_remove(env: Stack) -> None:
    ada = env.install_with_admin()
    policy.set_mode(env.ctx(ada), "specific_users")
    bob = env.person("bob@acme.test", "Bob Builder")
    carol = env.person("carol@acme.test", "Carol Chosen")
    dan = env.person("dan@acme.test", "Dan Denied")
    env.admit(dan)  # tried, not allowed

    result = people.add_people(env.ctx(ada), [bob.sub, carol.sub], env.runtime, notify=False)
    assert sorted(p.email for p in result.added) == ["bob@acme.test", "carol@acme.test"]
    env.connect(bob)
    assert _states(env, "acme.test") == {
        "ada@acme.test": "authorized",
        "bob@acme.test": "authorized",
        "carol@acme.test": "pending",
        "dan@acme.test": "no_access",
    }

    people.remove_person(env.ctx(ada), bob.sub, env.runtime)
    assert env.grants.disconnected == [(bob.sub, "removed_by_admin")]
    assert bob.sub not in env.grants.tokens  # revoked and deleted
    member = env.member_doc("acme.test", bob.sub)
    assert (member["access"], member["consent"], member["revocation"]) == ("removed", "revoked", "done")
    assert env.admit(bob).reason == admission.NOT_ALLOWED
    assert _states(env, "acme.test")["bob@acme.test"] == "removed"

    # removal holds even when everyone is let in; adding back restores access
    policy.set_mode(env.ctx(ada), "all_users")
    assert env.admit(bob).reason == admission.NOT_ALLOWED
    people.add_people(env.ctx(ada), [bob.sub], env.runtime, notify=False)
    assert env.admit(bob).reason == admission.NEEDS_RECONNECT

    actions = sorted(e["action"] for e in env.audit("acme.test"))
    assert actions == [
        "admin.claimed",
        "people.add",
        "people.add",
        "people.remove",
        "policy.mode",
        "policy.mode",
    ]
    removal = next(e for e in env.audit("acme.test") if e["action"] == "people.remove")
    assert removal["actor"] == {"sub": ada.sub, "email": "ada@acme.test"}
    assert removal["target"] == [bob.sub]
    assert removal["at"] == env.clock()


def test_adding_twice_is_one_addition(env: Stack) -> None:
    ada = env.install_with_admin()
    bob = env.person("bob@acme.test", "Bob Builder")
    first = people.add_people(env.ctx(ada), [bob.sub], env.runtime, notify=True)
    again = people.add_people(env.ctx(ada), [bob.sub], env.runtime, notify=True)
    assert (len(first.added), len(first.invitations)) == (1, 1)
    assert (again.added, again.already[0].email, again.invitations) == ([], "bob@acme.test", [])
    assert env.member_doc("acme.test", bob.sub)["invitations"] == 1


def test_more_app_admins_can_be_named_but_never_zero(env: Stack) -> None:
    ada = env.install_with_admin()
    bob = env.person("bob@acme.test", "Bob Builder")
    env.admit(bob)
    admins.name_admin(env.ctx(ada), bob.sub)
    assert [a["email"] for a in env.tenant_doc("acme.test")["admins"]] == ["ada@acme.test", "bob@acme.test"]
    env.grants.complete_consent(bob, ("https://www.googleapis.com/auth/admin.directory.user.readonly",))
    assert env.admit(bob).is_admin
    admins.unname_admin(env.ctx(bob), ada.sub)
    with pytest.raises(Conflict):
        admins.unname_admin(env.ctx(bob), bob.sub)
    with pytest.raises(BadRequest):
        people.remove_person(env.ctx(bob), bob.sub, env.runtime)


def test_non_admin_attempts_are_rejected_and_audited(env: Stack) -> None:
    ada = env.install_with_admin()
    policy.set_mode(env.ctx(ada), "all_users")
    bob = env.person("bob@acme.test", "Bob Builder")
    admitted = env.connect(bob)
    assert admitted.allowed
    with pytest.raises(NotAppAdmin):
        require_admin(bob, admitted, "people.remove", env.clock())
    rejected = [e for e in env.audit("acme.test") if e["outcome"] == "rejected"]
    assert rejected == [{
        "at": env.clock(), "actor": {"sub": bob.sub, "email": "bob@acme.test"}, "action": "people.remove",
        "outcome": "rejected", "target": [], "details": {"reason": "not_app_admin"},
    }]  # fmt: skip
    assert env.admit(ada).allowed  # nothing changed


def test_cross_tenant_attempts_are_rejected(env: Stack) -> None:
    ada = env.install_with_admin()
    gina = env.install_with_admin("gina@globex.test", "Gina Globex")
    gus = env.person("gus@globex.test", "Gus Globex")
    env.admit(gus)
    bob = env.person("bob@acme.test", "Bob Builder")

    # ada names globex people: unknown in her directory and her tenant
    with pytest.raises(OutsideTenant):
        people.add_people(env.ctx(ada), [gus.sub], env.runtime, notify=True)
    with pytest.raises(OutsideTenant):
        people.add_people(
            env.ctx(ada), [bob.sub, gina.sub], env.runtime, notify=False
        )  # one bad id spoils all
    with pytest.raises(OutsideTenant):
        people.remove_person(env.ctx(ada), gus.sub, env.runtime)
    with pytest.raises(OutsideTenant):
        admins.name_admin(env.ctx(ada), gus.sub)
    with pytest.raises(OutsideTenant):
        people.resend_invitation(env.ctx(ada), gina.sub)

    assert env.member_doc("globex.test", gus.sub)["access"] == "none"
    assert env.grants.disconnected == []
    assert env.member_doc("acme.test", bob.sub) == {}
    assert not env.member_doc("acme.test", gus.sub)
    rejected = [e for e in env.audit("acme.test") if e["outcome"] == "rejected"]
    assert sorted((e["action"], e["details"]["reason"]) for e in rejected) == [
        ("admins.add", "outside_tenant"), ("people.add", "outside_tenant"), ("people.add", "outside_tenant"),
        ("people.remove", "outside_tenant"), ("people.resend", "outside_tenant"),
    ]  # fmt: skip
    assert [e for e in env.audit("globex.test") if e["outcome"] == "rejected"] == []

    # a globex identity whose token claims acme's hd is a different tenant entirely: the hd decides
    spoof = Identity(sub=gina.sub, email="gina@globex.test", hd="globex.test")
    assert env.admit(spoof).tenant_id == "globex.test"


def test_a_directory_user_on_another_domain_cannot_be_added(env: Stack) -> None:
    ada = env.install_with_admin()
    # same Google customer, other domain: tenancy keys tenants by hd, so this person cannot be added here
    env.directory.add_user("eve@acme-labs.test", "Eve Labs")
    eve = env.directory.find("eve@acme-labs.test")
    env.directory._customers["acme-labs.test"] = env.directory.customer_of("acme.test")
    eve["customerId"] = env.directory.customer_of("acme.test")
    with pytest.raises(OutsideTenant):
        people.add_people(env.ctx(ada), [eve["id"]], env.runtime, notify=False)


def test_bad_ids_are_bad_requests(env: Stack) -> None:
    ada = env.install_with_admin()
    with pytest.raises(BadRequest):
        people.add_people(env.ctx(ada), ["../../tenants/globex.test"], env.runtime, notify=False)
    with pytest.raises(BadRequest):
        people.add_people(env.ctx(ada), [str(i) for i in range(101)], env.runtime, notify=False)
    with pytest.raises(BadRequest):
        people.add_people(env.ctx(ada), [], env.runtime, notify=False)
