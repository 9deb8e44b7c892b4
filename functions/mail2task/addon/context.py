"""What an add-on action works with: the verified event, settings, the admission, and its clients."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mail2task.cards import responses
from mail2task.cards.views import MemberOption
from mail2task.cards.widgets import Card, Endpoints
from mail2task.errors import BadRequest

if TYPE_CHECKING:
    from mail2task.addon.request import AddonEvent
    from mail2task.config import AddonSettings
    from mail2task.google.gmail import GmailClient
    from mail2task.identity import Identity
    from mail2task.tasks.repository import TaskRepository
    from mail2task.tenancy.admission import Admission


def gmail_client(event: AddonEvent, settings: AddonSettings) -> GmailClient:
    """The per-request Gmail client factory (tests replace it, e.g. to skip backoff sleeps)."""
    from mail2task.config import TenancySettings, load
    from mail2task.google.gmail import GmailClient

    if not event.user_oauth_token:
        raise BadRequest("the event carries no userOAuthToken")
    return GmailClient(
        event.user_oauth_token,
        event.gmail_access_token,
        endpoint=settings.gmail_api_endpoint,
        app_name=load(TenancySettings).app_name,
    )


@dataclass
class AddonContext:
    event: AddonEvent
    settings: AddonSettings
    admission: Admission | None = None

    @property
    def identity(self) -> Identity:
        return self.event.identity

    @property
    def tenant(self) -> str:
        """The verified ``hd``: every read and write of the request happens under it."""
        return self.identity.tenant

    @functools.cached_property
    def app_name(self) -> str:
        """The product name the cards show (``APP_NAME``)."""
        from mail2task.config import TenancySettings, load

        return load(TenancySettings).app_name

    @functools.cached_property
    def endpoints(self) -> Endpoints:
        return Endpoints(self.settings.addon_url, self.settings.convert_url)

    @functools.cached_property
    def me(self) -> MemberOption:
        return MemberOption(self.identity.sub, self.identity.email, self.identity.name or "")

    @functools.cached_property
    def tasks(self) -> TaskRepository:
        from mail2task.tasks.repository import TaskRepository

        return TaskRepository(self.tenant)

    def gmail(self) -> GmailClient:
        return gmail_client(self.event, self.settings)

    def message_id(self) -> str:
        if not self.event.message_id:
            raise BadRequest("the event names no open message (gmail.messageId)")
        return self.event.message_id

    def thread_id(self) -> str:
        if not self.event.thread_id:
            raise BadRequest("the event names no open thread (gmail.threadId)")
        return self.event.thread_id

    def respond(self, card: Card, notification: str | None = None) -> dict[str, Any]:
        """A trigger shows ``card``; an action replaces the current card with it."""
        if self.event.trigger is not None:
            return responses.show(card)
        return responses.update(card, notification)
