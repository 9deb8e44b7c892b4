"""Every card against its golden JSON, plus the limits and escaping rules every card keeps."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mail2task.cards import responses
from mail2task.cards.create_form import create_form_card
from mail2task.cards.errors import error_card, outage_card, unexpected_card
from mail2task.cards.homepage import ASSIGNED, CREATED, DISCONNECT_ACTION, homepage_card
from mail2task.cards.task import ADDABLE, ADDED, SOURCE, task_card
from mail2task.cards.views import MemberOption
from mail2task.cards.widgets import MAX_WIDGETS, card, count_widgets, paragraph, section, selection
from tests.unit.cards.golden import assert_golden
from tests.unit.cards.samples import (
    BEN,
    ENDPOINTS,
    ME,
    MESSAGE,
    NAMELESS,
    OWN_TASK,
    PLAIN_MESSAGE,
    task,
)


def test_create_form() -> None:
    built = create_form_card(
        MESSAGE, me=ME, members=[ME, BEN, NAMELESS], more_people="tok2", endpoints=ENDPOINTS
    )
    assert_golden("create_form", built)


def test_create_form_without_attachments_or_more_people() -> None:
    built = create_form_card(PLAIN_MESSAGE, me=ME, members=[], more_people=None, endpoints=ENDPOINTS)
    assert_golden("create_form_plain", built)


@pytest.mark.parametrize("state", [ADDABLE, ADDED, SOURCE])
def test_linked_task(state: str) -> None:
    built = task_card(
        task(), viewer_email="ada@acme.test", endpoints=ENDPOINTS, message=MESSAGE, message_state=state
    )
    assert_golden(f"linked_task_{state}", built)


def test_task_after_creation_done_and_unassigned() -> None:
    assert_golden("task_done", task_card(OWN_TASK, viewer_email="ada@acme.test", endpoints=ENDPOINTS))


def _buttons(built: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = [
        b for s in built["sections"] for w in s["widgets"] for b in w.get("buttonList", {}).get("buttons", [])
    ]
    return {b["text"]: b for b in found}


def _params(button: dict[str, Any]) -> dict[str, str]:
    return {p["key"]: p["value"] for p in button["onClick"]["action"]["parameters"]}


def test_homepage_assigned_with_next_page() -> None:
    built = homepage_card(
        [task(), OWN_TASK],
        view=ASSIGNED,
        endpoints=ENDPOINTS,
        next_cursor=OWN_TASK.id,
        disconnect_url="https://fn.example/oauth",
    )
    assert_golden("homepage_assigned", built)


def test_people_with_a_grant_can_disconnect_from_the_homepage() -> None:
    from mail2task.oauth.actions import DISCONNECT

    built = homepage_card([], view=ASSIGNED, endpoints=ENDPOINTS, disconnect_url="https://fn.example/oauth")
    button = _buttons(built)["Disconnect my Google account"]
    assert button["onClick"]["action"]["function"] == "https://fn.example/oauth"  # the `oauth` function
    assert _params(button) == {"action": DISCONNECT_ACTION} == {"action": DISCONNECT}
    without = homepage_card([], view=ASSIGNED, endpoints=ENDPOINTS)
    assert "Disconnect my Google account" not in _buttons(without)


def test_linked_cards_bring_the_message_state_back_with_a_status_change() -> None:
    for state in (ADDABLE, ADDED, SOURCE):
        built = task_card(
            task(), viewer_email="a@acme.test", endpoints=ENDPOINTS, message=MESSAGE, message_state=state
        )
        assert _params(_buttons(built)["Mark done"])["state"] == state
    plain = task_card(task(), viewer_email="a@acme.test", endpoints=ENDPOINTS)
    assert "state" not in _params(_buttons(plain)["Mark done"])


def test_homepage_second_page_of_created() -> None:
    built = homepage_card([OWN_TASK], view=CREATED, endpoints=ENDPOINTS, cursor=task().id)
    assert_golden("homepage_created_page2", built)


def test_homepage_empty_states() -> None:
    assert_golden("homepage_empty_assigned", homepage_card([], view=ASSIGNED, endpoints=ENDPOINTS))
    assert_golden("homepage_empty_created", homepage_card([], view=CREATED, endpoints=ENDPOINTS))


def test_error_cards() -> None:
    assert_golden("error", error_card("The task no longer exists.", title="Not possible"))
    assert_golden("outage", outage_card("mail2task", ENDPOINTS))
    assert_golden("unexpected", unexpected_card("mail2task", ENDPOINTS))


def test_error_cards_name_the_configured_app_and_only_outages_promise_nothing_was_saved() -> None:
    outage, unexpected = json.dumps(outage_card("Fjord Tasks")), json.dumps(unexpected_card("Fjord Tasks"))
    assert "Fjord Tasks could not reach" in outage
    assert "Nothing was saved" in outage
    assert "Fjord Tasks ran into an unexpected problem" in unexpected
    assert "saved" not in unexpected.lower()
    assert "mail2task" not in outage + unexpected


def test_response_envelopes() -> None:
    built = error_card("x")
    assert responses.show(built) == {"action": {"navigations": [{"pushCard": built}]}}
    assert responses.update(built, "Done.") == {
        "renderActions": {
            "action": {"navigations": [{"updateCard": built}], "notification": {"text": "Done."}}
        }
    }
    assert responses.push(built) == {"renderActions": {"action": {"navigations": [{"pushCard": built}]}}}
    assert responses.notify("Hi") == {"renderActions": {"action": {"notification": {"text": "Hi"}}}}
    assert responses.request_scopes(["s1"]) == {"requesting_google_scopes": {"scopes": ["s1"]}}


def test_message_text_is_escaped_but_labels_are_plain() -> None:
    built = create_form_card(MESSAGE, me=ME, members=[], more_people=None, endpoints=ENDPOINTS)
    text = json.dumps(built)
    assert "&lt;agreement&gt;" in text
    assert "<agreement>" not in text
    assert "Signed service agreement &amp; 2025" in text  # decoratedText.text is HTML
    assert built["sections"][1]["widgets"][0]["textInput"]["value"] == MESSAGE.title  # inputs are plain


def test_assignee_picker_never_exceeds_the_selection_limit() -> None:
    many = [MemberOption(str(1000 + i), f"p{i}@acme.test") for i in range(150)]
    built = create_form_card(MESSAGE, me=ME, members=many, more_people="next", endpoints=ENDPOINTS)
    picker = next(w for w in built["sections"][1]["widgets"] if "selectionInput" in w)
    assert len(picker["selectionInput"]["items"]) == 100


def test_many_attachments_are_capped_and_named() -> None:
    from mail2task.cards.views import AttachmentOption, MessageView

    files = tuple(AttachmentOption(str(i), f"f{i}.txt", 10) for i in range(30))
    view = MessageView("s", "a@b.c", None, "s", "", files)
    built = create_form_card(view, me=ME, members=[], more_people=None, endpoints=ENDPOINTS)
    boxes = next(
        w for w in built["sections"][1]["widgets"] if w.get("selectionInput", {}).get("name") == "attachments"
    )
    assert len(boxes["selectionInput"]["items"]) == 20
    assert "f29.txt" in json.dumps(built)
    assert count_widgets(built) <= MAX_WIDGETS


def test_a_full_homepage_stays_under_the_widget_limit() -> None:
    tasks = [task(id=f"{i:032x}") for i in range(20)]
    built = homepage_card(tasks, view=ASSIGNED, endpoints=ENDPOINTS, cursor="0" * 32, next_cursor="1" * 32)
    assert count_widgets(built) <= MAX_WIDGETS


def test_builders_refuse_to_break_the_limits() -> None:
    with pytest.raises(ValueError, match="limit"):
        selection("x", "X", "DROPDOWN", [(str(i), str(i), False) for i in range(101)])
    with pytest.raises(ValueError, match="limit"):
        card("t", [section([paragraph(str(i)) for i in range(101)])])
