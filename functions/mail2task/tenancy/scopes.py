"""The Google scopes tenancy asks people to consent to (through the oauth part's consent flow)."""

from __future__ import annotations

OPENID = "openid"
EMAIL = "https://www.googleapis.com/auth/userinfo.email"
DIRECTORY_READONLY = "https://www.googleapis.com/auth/admin.directory.user.readonly"
GMAIL_SEND = "https://www.googleapis.com/auth/gmail.send"

# Every allowed person: offline access for background work on their behalf (replying to a task's sender).
MEMBER_SCOPES: tuple[str, ...] = (OPENID, EMAIL, GMAIL_SEND)

# App admins (and people checking whether they are one): read the directory to confirm the Workspace
# admin role and to pick people; send the "you were added" emails as themselves.
ADMIN_SCOPES: tuple[str, ...] = (*MEMBER_SCOPES, DIRECTORY_READONLY)
