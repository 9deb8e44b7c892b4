"""The Directory client through google-api-python-client against the loopback Directory stand-in."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from google.oauth2.credentials import Credentials

from mail2task.errors import BadRequest, ConsentRequired, Forbidden, NotFound
from mail2task.google.directory import DirectoryClient, search_query
from mail2task.local.directory_standin import DirectoryStandIn


@pytest.fixture
def directory() -> Iterator[DirectoryStandIn]:
    with DirectoryStandIn() as standin:
        standin.add_user("ada@acme.test", "Ada Lindqvist", admin=True, user_id="100")
        for i in range(45):
            standin.add_user(f"user{i:02d}@acme.test", f"Person {i:02d}")
        standin.add_user("zed@acme.test", "Zed Zimmer")
        standin.add_user("gina@globex.test", "Gina Globex", admin=True, user_id="200")
        yield standin


def _client(directory: DirectoryStandIn, user_id: str = "100") -> DirectoryClient:
    return DirectoryClient(Credentials(token=directory.grant(user_id)), endpoint=directory.endpoint)


def test_get_user_reports_the_admin_role(directory: DirectoryStandIn) -> None:
    user = _client(directory).get_user("100")
    assert (user.email, user.name, user.is_admin) == ("ada@acme.test", "Ada Lindqvist", True)
    assert user.customer_id == directory.customer_of("acme.test")


def test_search_pages_through_the_whole_directory(directory: DirectoryStandIn) -> None:
    client = _client(directory)
    seen, token, pages = [], None, 0
    while True:
        page = client.search_users("", page_token=token, max_results=20)
        seen += [u.email for u in page.users]
        pages += 1
        token = page.next_page_token
        if token is None:
            break
    assert pages == 3
    assert len(seen) == len(set(seen)) == 47
    assert seen == sorted(seen)
    assert "gina@globex.test" not in seen


def test_search_query_matches_names_and_emails(directory: DirectoryStandIn) -> None:
    client = _client(directory)
    assert [u.email for u in client.search_users("zed").users] == ["zed@acme.test"]
    assert [u.email for u in client.search_users("Zimm").users] == ["zed@acme.test"]
    assert len(client.search_users("person 1").users) == 10


def test_search_text_cannot_inject_query_operators() -> None:
    assert ":" not in search_query("isAdmin:true")
    assert search_query("a' OR name:'x") == "a OR name x"
    assert len(search_query("x" * 500)) <= 100


def test_other_customers_are_invisible(directory: DirectoryStandIn) -> None:
    with pytest.raises(NotFound):
        _client(directory).get_user("200")
    with pytest.raises(NotFound):
        _client(directory).get_user("gina@globex.test")


def test_non_admins_cannot_read_the_directory(directory: DirectoryStandIn) -> None:
    bob = directory.find("zed@acme.test")["id"]
    with pytest.raises(Forbidden):
        _client(directory, bob).get_user(bob)


def test_revoked_token_and_bad_page_token(directory: DirectoryStandIn) -> None:
    token = directory.grant("100")
    directory.revoke(token)
    client = DirectoryClient(Credentials(token=token), endpoint=directory.endpoint)
    with pytest.raises(ConsentRequired):
        client.get_user("100")
    with pytest.raises(BadRequest):
        _client(directory).search_users("", page_token="not-a-token")
