"""The member list: the assignee picker per mode, and paging through everyone."""

from __future__ import annotations

import pytest

from mail2task.errors import BadRequest
from mail2task.tenancy import people, policy
from mail2task.tenancy.members import list_members
from tests.emulator.tenancy.harness import Stack


def _setup(env: Stack) -> None:
    ada = env.install_with_admin()
    bob, carol, dan = (env.person(f"{n}@acme.test", f"{n.title()} X") for n in ("bob", "carol", "dan"))
    env.admit(carol)
    env.admit(dan)
    people.add_people(env.ctx(ada), [bob.sub, dan.sub], env.runtime, notify=False)
    people.remove_person(env.ctx(ada), dan.sub, env.runtime)


def _picker(tenant: str, mode: str | None = None) -> list[str]:
    return [m.email for m in list_members(tenant, mode=mode).members]


def test_assignee_picker_follows_the_mode(env: Stack) -> None:
    _setup(env)
    assert _picker("acme.test") == ["ada@acme.test"]  # only me
    ctx = env.ctx(env.identity("ada@acme.test"))
    policy.set_mode(ctx, "specific_users")
    assert _picker("acme.test") == ["ada@acme.test", "bob@acme.test"]
    assert _picker("acme.test", mode="specific_users") == ["ada@acme.test", "bob@acme.test"]
    policy.set_mode(env.ctx(env.identity("ada@acme.test")), "all_users")
    assert _picker("acme.test", mode="all_users") == ["ada@acme.test", "bob@acme.test", "carol@acme.test"]


def test_everyone_pages_by_email(env: Stack) -> None:
    _setup(env)
    seen, token = [], None
    for _ in range(5):
        page = list_members("acme.test", everyone=True, limit=2, page_token=token)
        seen += [m.email for m in page.members]
        token = page.next_page_token
        if token is None:
            break
    assert seen == ["ada@acme.test", "bob@acme.test", "carol@acme.test", "dan@acme.test"]
    assert list_members("globex.test", everyone=True).members == []
    with pytest.raises(BadRequest):
        list_members("acme.test", everyone=True, page_token="garbage!")
