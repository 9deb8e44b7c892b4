"""License decisions through the real appsmarket client against the loopback Licensing stand-in."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from dataclasses import replace

import pytest
from google.oauth2.credentials import Credentials

from mail2task.config import TenancySettings
from mail2task.errors import UpstreamError
from mail2task.google.licensing import LOCAL_ACCESS_TOKEN, LicenseClient
from mail2task.local.licensing_standin import LicensingStandIn
from mail2task.tenancy import licensing
from mail2task.tenancy.model import LicenseRecord, Member, Tenant
from mail2task.tenancy.runtime import TenancyRuntime

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
ACME = Tenant("acme.test")
BOB = Member("2", email="bob@acme.test")


@pytest.fixture
def standin() -> Iterator[LicensingStandIn]:
    with LicensingStandIn() as running:
        yield running


def _runtime(
    standin: LicensingStandIn, token: str = LOCAL_ACCESS_TOKEN, **settings: object
) -> TenancyRuntime:
    values: dict[str, object] = {"profile": "local", "marketplace_app_id": standin.app_id,
                                 "licensing_api_endpoint": standin.endpoint, **settings}  # fmt: skip
    tenancy = TenancySettings(**values)  # type: ignore[arg-type]
    client = LicenseClient(
        standin.app_id, endpoint=standin.endpoint, credentials=lambda: Credentials(token=token)
    )
    return TenancyRuntime(settings=tenancy, licenses=client)


def test_domain_install(standin: LicensingStandIn) -> None:
    standin.license_domain("acme.test")
    decision = licensing.decide(ACME, BOB, NOW, _runtime(standin))
    assert decision.licensed
    assert decision.domain_installed
    assert decision.tenant == LicenseRecord("ACTIVE", "domain", NOW)
    assert decision.tenant_changed
    assert standin.calls == ["customerLicense acme.test"]  # no user lookup needed


def test_individual_install(standin: LicensingStandIn) -> None:
    standin.license_user("bob@acme.test", enabled=False)
    decision = licensing.decide(ACME, BOB, NOW, _runtime(standin))
    assert decision.licensed
    assert not decision.domain_installed
    assert decision.member == LicenseRecord("ACTIVE", "individual", NOW)


@pytest.mark.parametrize("state", ["UNLICENSED", "EXPIRED"])
def test_no_license(standin: LicensingStandIn, state: str) -> None:
    standin.license_user("bob@acme.test", state)
    decision = licensing.decide(ACME, BOB, NOW, _runtime(standin))
    assert not decision.licensed
    assert decision.member is not None
    assert decision.member.state == state


def test_answers_are_cached_for_the_configured_time(standin: LicensingStandIn) -> None:
    standin.license_domain("acme.test")
    runtime = _runtime(standin, license_cache_seconds=600)
    first = licensing.decide(ACME, BOB, NOW, runtime)
    tenant = replace(ACME, license=first.tenant)
    assert not licensing.decide(tenant, BOB, NOW + dt.timedelta(seconds=599), runtime).tenant_changed
    assert len(standin.calls) == 1
    standin.license_domain("acme.test", "UNLICENSED")
    later = licensing.decide(tenant, BOB, NOW + dt.timedelta(seconds=601), runtime)
    assert later.tenant.state == "UNLICENSED"
    assert not later.licensed


def test_outage_keeps_the_last_known_state_and_logs(
    standin: LicensingStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    known = replace(ACME, license=LicenseRecord("ACTIVE", "domain", NOW - dt.timedelta(hours=5)))
    standin.outage = True
    runtime = _runtime(standin, license_retry_seconds=300)
    with caplog.at_level(logging.WARNING, logger="mail2task.tenancy.licensing"):
        decision = licensing.decide(known, BOB, NOW, runtime)
    assert decision.licensed
    assert decision.tenant.state == "ACTIVE"
    assert decision.tenant.failed_at == NOW
    assert "last known state kept" in caplog.text
    # the failure is remembered: no call per request while the API is down
    calls = len(standin.calls)
    again = licensing.decide(
        replace(known, license=decision.tenant), BOB, NOW + dt.timedelta(seconds=60), runtime
    )
    assert again.licensed
    assert len(standin.calls) == calls


def test_unreachable_api_with_no_history_lets_the_tenant_in_unverified(standin: LicensingStandIn) -> None:
    runtime = _runtime(standin)
    standin.stop()  # connection refused
    decision = licensing.decide(ACME, BOB, NOW, runtime)
    assert decision.licensed
    assert decision.tenant.kind == "unverified"


def test_5xx_is_an_upstream_error_and_wrong_credentials_too(standin: LicensingStandIn) -> None:
    standin.fail_next(1, 500)
    client = _runtime(standin).license_client()
    with pytest.raises(UpstreamError):
        client.customer_license("acme.test")
    with pytest.raises(UpstreamError, match="credentials refused"):
        _runtime(standin, token="someone-else").license_client().customer_license("acme.test")


def test_private_deployment_needs_no_license(standin: LicensingStandIn) -> None:
    decision = licensing.decide(ACME, BOB, NOW, _runtime(standin, marketplace_app_id=""))
    assert decision.licensed
    assert decision.tenant.kind == "unmanaged"
    assert standin.calls == []
