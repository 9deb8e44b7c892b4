"""The people the preview can act as: three of one Workspace domain, one of another, one consumer account.

Their ``sub``/``email``/``hd`` go into user ID tokens signed with the development key, exactly the claims
Google puts in an add-on's ``userIdToken``. The local stand-ins agree with them: Ada is example.com's
Workspace admin in the Directory, example.com has the app installed for the domain, Dana installed it for
herself, and Eve's consumer account has no Workspace at all.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

LOCAL_SERVICE_ACCOUNT = "service-000000000000@gcp-sa-gsuiteaddons.iam.gserviceaccount.com"
LOCAL_OAUTH_CLIENT_ID = "000000000000-local.apps.googleusercontent.com"


@dataclass(frozen=True)
class LocalUser:
    """A person with the claims Google would sign for them."""

    key: str
    name: str
    email: str
    sub: str
    hd: str | None
    admin: bool = False  # a Workspace admin of ``hd`` (Directory stand-in)
    license: str = "domain"  # Marketplace install: domain | individual | none (Licensing stand-in)

    @property
    def label(self) -> str:
        kind = self.hd or "consumer account"
        return f"{self.name} <{self.email}> ({kind})"

    def public(self) -> dict[str, Any]:
        return {**asdict(self), "label": self.label}


USERS: tuple[LocalUser, ...] = (
    LocalUser("ada", "Ada Lindqvist", "ada@example.com", "110000000000000000001", "example.com", admin=True),
    LocalUser("ben", "Ben Carter", "ben@example.com", "110000000000000000002", "example.com"),
    LocalUser("cleo", "Cleo Martin", "cleo@example.com", "110000000000000000003", "example.com"),
    LocalUser(
        "dana", "Dana Okoye", "dana@example.org", "120000000000000000004", "example.org", license="individual"
    ),
    LocalUser("eve", "Eve Consumer", "eve.consumer@gmail.com", "130000000000000000005", None, license="none"),
)


def user(key: str) -> LocalUser:
    """The local user called ``key``; raises KeyError for anyone else."""
    for candidate in USERS:
        if candidate.key == key:
            return candidate
    raise KeyError(key)
