"""The parts of the local stack. Each ``start(env)`` gets the environment so far and returns what it adds.

Ports that must be fixed (the preview's) are bound in the constructors, so a taken port fails before the
emulator spends seconds starting. One development key signs everything Google would sign: the preview's
system and user ID tokens and the OAuth stand-in's ID tokens; the preview serves its certificates.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from mail2task.local import identities
from mail2task.local.devkey import DevSigner
from mail2task.local.servers import LoopbackServer

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

    from mail2task.local.directory_standin import DirectoryStandIn
    from mail2task.local.emulator import FirestoreEmulator
    from mail2task.local.gmail_standin import GmailStandIn
    from mail2task.local.licensing_standin import LicensingStandIn
    from mail2task.local.oauth_standin import OAuthStandIn
    from mail2task.local.servers import HttpStandIn

LOCAL_APP_ID = "123456789012"


class Service(Protocol):
    name: str

    def start(self, env: dict[str, str]) -> dict[str, str]: ...

    def stop(self) -> None: ...

    def lines(self) -> list[str]: ...


class FirestoreService:
    name = "Firestore emulator"

    def __init__(self, host: str | None, project: str) -> None:
        self.host, self.project = host, project
        self.emulator: FirestoreEmulator | None = None

    def start(self, env: dict[str, str]) -> dict[str, str]:
        if self.host is None:
            from mail2task.local.emulator import start_emulator

            self.emulator = start_emulator(self.project)
            self.host = self.emulator.host
        return {"FIRESTORE_EMULATOR_HOST": self.host}

    def stop(self) -> None:
        if self.emulator is not None:
            self.emulator.stop()  # the launcher and its JVM, by process group

    def lines(self) -> list[str]:
        return [f"Firestore emulator  {self.host}"]


class _StandInService:
    """An API stand-in of the stack, listed with its endpoint; ``standin`` is set once it is built."""

    name: str
    standin: HttpStandIn | None = None

    def stop(self) -> None:
        if self.standin is not None:
            self.standin.stop()

    def lines(self) -> list[str]:
        return [f"{self.name:<20}{self.standin.endpoint if self.standin else ''}"]


class GmailService(_StandInService):
    name = "Gmail API stand-in"

    def __init__(self, samples: Path | None) -> None:
        from mail2task.local.gmail_standin import GmailStandIn

        self.standin: GmailStandIn = GmailStandIn(folder=samples, require_known_tokens=True)

    def start(self, env: dict[str, str]) -> dict[str, str]:
        self.standin.start()
        return {"GMAIL_API_ENDPOINT": self.standin.endpoint}

    def lines(self) -> list[str]:
        count = len(list(self.standin.mailbox.messages()))
        return [f"{super().lines()[0]}  ({count} sample messages)"]


class OAuthService(_StandInService):
    """Google's consent, token and revoke endpoints; knows the local users by email (``login_hint``)."""

    name = "OAuth stand-in"

    def __init__(self, signer: DevSigner, redirect_url: str) -> None:
        self.signer, self.redirect_url = signer, redirect_url
        self.standin: OAuthStandIn | None = None

    def start(self, env: dict[str, str]) -> dict[str, str]:
        from mail2task.local.oauth_standin import OAuthStandIn, User

        self.standin = OAuthStandIn(
            signer=self.signer,
            client_id=env["OAUTH_CLIENT_ID"],
            client_secret=env["OAUTH_CLIENT_SECRET"],
            redirect_uris=(self.redirect_url,),
        ).start()
        for person in identities.USERS:
            self.standin.users[person.email] = User(person.sub, person.email, person.hd)
        return {
            "OAUTH_AUTH_URL": self.standin.auth_url,
            "OAUTH_TOKEN_URL": self.standin.token_url,
            "OAUTH_REVOKE_URL": self.standin.revoke_url,
            "RISC_CONFIG_URL": self.standin.risc_config_url,
        }

    def token_owner(self, token: str) -> tuple[str, Iterable[str]] | None:
        """Who an access token from this stand-in belongs to, and its scopes (Google's tokeninfo)."""
        return self.standin.token_info(token) if self.standin is not None else None


class DirectoryService(_StandInService):
    """The Admin SDK Directory: Ada is example.com's Workspace admin; tokens are the OAuth stand-in's."""

    name = "Directory stand-in"

    def __init__(self, oauth: OAuthService) -> None:
        self.oauth = oauth
        self.standin: DirectoryStandIn | None = None

    def start(self, env: dict[str, str]) -> dict[str, str]:
        from mail2task.local.directory_standin import DirectoryStandIn

        self.standin = DirectoryStandIn(resolver=self.oauth.token_owner)
        for person in identities.USERS:
            if person.hd:
                self.standin.add_user(person.email, person.name, admin=person.admin, user_id=person.sub)
        self.standin.start()
        return {"DIRECTORY_API_ENDPOINT": self.standin.endpoint}


class LicensingService(_StandInService):
    """Marketplace licenses: example.com installed for the domain, dana@example.org individually."""

    name = "Licensing stand-in"

    def __init__(self) -> None:
        self.standin: LicensingStandIn | None = None

    def start(self, env: dict[str, str]) -> dict[str, str]:
        from mail2task.local.licensing_standin import LicensingStandIn

        self.standin = LicensingStandIn(app_id=LOCAL_APP_ID)
        for person in identities.USERS:
            if person.license == "domain" and person.hd:
                self.standin.license_domain(person.hd)
            elif person.license == "individual":
                self.standin.license_user(person.email)
        self.standin.start()
        return {"LICENSING_API_ENDPOINT": self.standin.endpoint, "MARKETPLACE_APP_ID": LOCAL_APP_ID}


class _Deferred:
    """A WSGI app filled in after its server has bound its port."""

    app: WSGIApplication | None = None

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if self.app is None:
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
            return [b"starting"]
        return self.app(environ, start_response)


class FunctionsService:
    """Every function of ``functions/main.py`` on one port, under ``/<name>``."""

    name = "functions"

    def __init__(self, port: int) -> None:
        self.app = _Deferred()
        self.server = LoopbackServer("functions", self.app, port)
        self.preview_url: str | None = None
        self.urls: dict[str, str] = {}

    def start(self, env: dict[str, str]) -> dict[str, str]:
        from mail2task.local.environment import function_environment
        from mail2task.local.functions_server import function_urls, functions_app

        self.app.app = functions_app()
        self.server.start()
        self.urls = function_urls(self.server.url)
        return function_environment(self.urls, self.preview_url)

    def stop(self) -> None:
        self.server.stop()

    def lines(self) -> list[str]:
        return [f"function {name:<11}{url}" for name, url in self.urls.items()]


class PreviewService:
    """The page that plays Gmail, and the development key's certificates (``GOOGLE_CERTS_URL``)."""

    name = "preview"

    def __init__(
        self, port: int, signer: DevSigner, gmail: GmailService, functions: FunctionsService, **host: Any
    ) -> None:
        self.app = _Deferred()
        self.server = LoopbackServer("preview", self.app, port)
        self.signer, self.gmail, self.functions, self.host_options = signer, gmail, functions, host
        functions.preview_url = self.server.url

    def start(self, env: dict[str, str]) -> dict[str, str]:
        from mail2task.addon.deployment import FunctionUrls, descriptor
        from mail2task.local.host import GmailHost
        from mail2task.local.preview import create_app

        host = GmailHost(
            signer=self.signer,
            gmail=self.gmail.standin,
            functions_url=self.functions.server.url,
            service_account=env["ADDON_SERVICE_ACCOUNT"],
            oauth_client_id=env["ADDON_OAUTH_CLIENT_ID"],
            **self.host_options,
        )
        self.app.app = create_app(host, descriptor(FunctionUrls.from_base(self.functions.server.url)))
        self.server.start()
        return {"GOOGLE_CERTS_URL": f"{self.server.url}/certs"}

    def stop(self) -> None:
        self.server.stop()

    def lines(self) -> list[str]:
        return [f"Preview             {self.server.url}"]
