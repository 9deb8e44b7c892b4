"""Admin SDK Directory API (users.get, users.list) with one user's consented credentials.

Built per call from the shipped discovery document. The caller's own Google permissions bound what it
can see: an admin of one customer cannot read users of another (Google answers 403/404), and tenancy
additionally checks every user it reads belongs to the caller's customer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mail2task.errors import BadRequest, ConsentRequired, Forbidden, NotFound, UpstreamError

if TYPE_CHECKING:
    from google.auth.credentials import Credentials

TIMEOUT_SECONDS = 10
MAX_QUERY_CHARS = 100
MAX_PAGE_TOKEN_CHARS = 1024
USER_FIELDS = "id,primaryEmail,name/fullName,isAdmin,suspended,customerId"
_WORD = re.compile(r"[\w.@+'-]+", re.UNICODE)
_USER_ID = re.compile(r"^[0-9]{1,32}$")


@dataclass(frozen=True)
class DirectoryUser:
    id: str
    email: str
    name: str
    is_admin: bool
    customer_id: str
    suspended: bool = False

    @classmethod
    def from_api(cls, body: dict[str, Any]) -> DirectoryUser:
        name = body.get("name") if isinstance(body.get("name"), dict) else {}
        return cls(
            id=str(body.get("id") or ""),
            email=str(body.get("primaryEmail") or "").lower(),
            name=str(name.get("fullName") or "")[:200],  # type: ignore[union-attr]
            is_admin=body.get("isAdmin") is True,
            customer_id=str(body.get("customerId") or ""),
            suspended=body.get("suspended") is True,
        )


@dataclass(frozen=True)
class DirectoryPage:
    users: list[DirectoryUser]
    next_page_token: str | None


def search_query(text: str) -> str:
    """A Directory ``query`` from what someone typed: free-text words only (no field operators)."""
    words = [w.replace("'", "") for w in _WORD.findall(text[:MAX_QUERY_CHARS])]
    return " ".join(w for w in words if w)[:MAX_QUERY_CHARS]


def valid_user_id(value: str) -> bool:
    return isinstance(value, str) and bool(_USER_ID.match(value))


class DirectoryClient:
    """Directory reads as the user ``credentials`` belong to."""

    def __init__(self, credentials: Credentials, *, endpoint: str) -> None:
        self._credentials = credentials
        self.endpoint = endpoint.rstrip("/")

    def _service(self) -> Any:
        import google_auth_httplib2
        import httplib2
        from googleapiclient.discovery import build

        http = google_auth_httplib2.AuthorizedHttp(
            self._credentials, http=httplib2.Http(timeout=TIMEOUT_SECONDS)
        )
        return build(
            "admin",
            "directory_v1",
            http=http,
            static_discovery=True,
            cache_discovery=False,
            client_options={"api_endpoint": self.endpoint},
        )

    @staticmethod
    def _execute(request: Any, what: str) -> dict[str, Any]:
        import httplib2
        from google.auth.exceptions import GoogleAuthError
        from googleapiclient.errors import HttpError

        try:
            body: dict[str, Any] = request.execute(num_retries=0)
        except HttpError as error:
            status = int(error.resp.status)
            if status == 404:
                raise NotFound("no such user in your directory") from None
            if status in (401, 403):
                raise Forbidden(f"the directory refused {what}") from None
            if status == 400:
                raise BadRequest(f"the directory could not run {what}") from None
            raise UpstreamError(f"Directory API {what} answered {status}", retryable=status >= 500) from None
        except GoogleAuthError:  # the user's grant was refused and cannot be renewed
            raise ConsentRequired("reconnect your account to read the directory") from None
        except (OSError, httplib2.HttpLib2Error) as error:
            raise UpstreamError(f"Directory API {what} unreachable: {type(error).__name__}") from None
        return body

    def get_user(self, user_key: str) -> DirectoryUser:
        """One user by id or primary email."""
        request = self._service().users().get(userKey=user_key, projection="basic", viewType="admin_view")
        return DirectoryUser.from_api(self._execute(request, "users.get"))

    def search_users(
        self, text: str, *, page_token: str | None = None, max_results: int = 20
    ) -> DirectoryPage:
        """A page of the caller's own customer's users matching ``text`` (all users when empty)."""
        if page_token is not None and (
            len(page_token) > MAX_PAGE_TOKEN_CHARS or not page_token.isprintable()
        ):
            raise BadRequest("invalid directory page token")
        params: dict[str, Any] = {
            "customer": "my_customer",
            "maxResults": max(1, min(max_results, 100)),
            "orderBy": "email",
            "projection": "basic",
            "viewType": "admin_view",
            "fields": f"users({USER_FIELDS}),nextPageToken",
        }
        query = search_query(text)
        if query:
            params["query"] = query
        if page_token:
            params["pageToken"] = page_token
        body = self._execute(self._service().users().list(**params), "users.list")
        users = [DirectoryUser.from_api(u) for u in body.get("users") or [] if isinstance(u, dict)]
        token = body.get("nextPageToken")
        return DirectoryPage(users, token if isinstance(token, str) and token else None)
