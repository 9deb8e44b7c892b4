"""Widget helpers: selection items with bottom text, switches as plain form inputs, the item limit."""

from __future__ import annotations

import pytest

from mail2task.cards.widgets import MAX_SELECTION_ITEMS, action, selection, switch


def test_selection_items_carry_bottom_text_only_when_given() -> None:
    widget = selection(
        "people", "People", "CHECK_BOX", [("Bob", "1", False, "bob@x.test"), ("Cy", "2", True)]
    )
    assert widget["selectionInput"]["items"] == [
        {"text": "Bob", "value": "1", "selected": False, "bottomText": "bob@x.test"},
        {"text": "Cy", "value": "2", "selected": True},
    ]


def test_selection_refuses_more_items_than_google_allows() -> None:
    items = [(str(i), str(i), False, "note") for i in range(MAX_SELECTION_ITEMS + 1)]
    with pytest.raises(ValueError, match="limit"):
        selection("people", "People", "CHECK_BOX", items)


def test_switch_as_a_form_input_and_with_an_action() -> None:
    assert switch("notify", True, value="yes", control="SWITCH") == {
        "name": "notify",
        "selected": True,
        "controlType": "SWITCH",
        "value": "yes",
    }
    on_change = action("https://addon.test/addon", {"a": "b"})
    assert switch("done_1", False, on_change) == {
        "name": "done_1",
        "selected": False,
        "controlType": "CHECKBOX",
        "onChangeAction": on_change,
    }
