"""The verified user behind a request: who they are and which Workspace tenant they belong to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mail2task.errors import ConsumerAccount as ConsumerAccount
from mail2task.errors import Unauthenticated


@dataclass(frozen=True)
class Identity:
    """A user, from verified ID-token claims only. ``hd`` is absent for consumer accounts."""

    sub: str
    email: str
    hd: str | None = None
    name: str | None = None

    @property
    def tenant(self) -> str:
        """The Workspace tenant key: the verified ``hd`` claim, never an email domain."""
        if not self.hd:
            raise ConsumerAccount("mail2task works only for Google Workspace accounts")
        return self.hd

    @classmethod
    def from_claims(cls, claims: dict[str, Any]) -> Identity:
        """Build from claims that were already verified; requires sub and a verified email."""
        sub, email = claims.get("sub"), claims.get("email")
        if not isinstance(sub, str) or not sub or len(sub) > 255:
            raise Unauthenticated("user token has no usable sub")
        if not isinstance(email, str) or not email or claims.get("email_verified") is not True:
            raise Unauthenticated("user token has no verified email")
        hd = claims.get("hd")
        name = claims.get("name")
        return cls(
            sub=sub,
            email=email.lower(),
            hd=hd.lower() if isinstance(hd, str) and hd else None,
            name=name if isinstance(name, str) else None,
        )
