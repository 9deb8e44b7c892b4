"""Widget helpers for card JSON: one small function per widget, text escaped, limits counted.

Text given to these helpers is plain text. Fields Google renders as simple HTML (``text`` of paragraphs
and decorated text, section headers) are escaped here; labels, titles, items and button texts are plain
text in the card schema and are passed as they are. Limits from Google's restrictions page: at most
100 widgets per card and 100 items per selection.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Widget = dict[str, Any]
Card = dict[str, Any]
MAX_WIDGETS = 100
MAX_SELECTION_ITEMS = 100


@dataclass(frozen=True)
class Endpoints:
    """Where card actions post: the `addon` function (light actions) and `convert` (task creation)."""

    addon: str
    convert: str


def escape(text: str) -> str:
    """Plain text as card HTML: markup escaped, line breaks kept."""
    return html.escape(text, quote=False).replace("\r\n", "\n").replace("\n", "<br>")


def shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis."""
    return text if len(text) <= limit else text[: max(0, limit - 1)].rstrip() + "…"


def action(function: str, params: Mapping[str, str], *, persist: bool = False) -> dict[str, Any]:
    """An ``onClick.action`` posting to ``function`` with string parameters (sorted for stable JSON)."""
    body: dict[str, Any] = {
        "function": function,
        "parameters": [{"key": k, "value": params[k]} for k in sorted(params)],
        "loadIndicator": "SPINNER",
    }
    if persist:
        body["persistValues"] = True
    return body


def button(text: str, on_click: dict[str, Any], *, filled: bool = False, disabled: bool = False) -> Widget:
    widget: Widget = {"text": text, "onClick": on_click}
    if filled:
        widget["type"] = "FILLED"
    if disabled:
        widget["disabled"] = True
    return widget


def action_button(text: str, function: str, params: Mapping[str, str], **options: Any) -> Widget:
    persist = bool(options.pop("persist", False))
    return button(text, {"action": action(function, params, persist=persist)}, **options)


def link_button(text: str, url: str) -> Widget:
    return button(text, {"openLink": {"url": url}})


def buttons(*items: Widget) -> Widget:
    return {"buttonList": {"buttons": list(items)}}


def paragraph(text: str, *, max_lines: int | None = None, raw_html: bool = False) -> Widget:
    body: dict[str, Any] = {"text": text if raw_html else escape(text)}
    if max_lines is not None:
        body["maxLines"] = max_lines
    return {"textParagraph": body}


def labelled(label: str, text: str, *, bottom: str | None = None, **extra: Any) -> Widget:
    """A ``decoratedText`` (``text`` escaped, labels plain); ``extra`` adds e.g. a ``switchControl``."""
    body: dict[str, Any] = {"topLabel": label, "text": escape(text) or "—", "wrapText": True}
    if bottom:
        body["bottomLabel"] = bottom
    body.update(extra)
    return {"decoratedText": body}


def switch(
    name: str,
    selected: bool,
    on_change: dict[str, Any] | None = None,
    *,
    value: str | None = None,
    control: str = "CHECKBOX",
) -> dict[str, Any]:
    """A ``switchControl`` (``control``: CHECKBOX or SWITCH); without ``on_change``, a plain form input."""
    body: dict[str, Any] = {"name": name, "selected": selected, "controlType": control}
    if value is not None:
        body["value"] = value
    if on_change is not None:
        body["onChangeAction"] = on_change
    return body


def text_input(name: str, label: str, value: str, *, multiline: bool = False) -> Widget:
    return {
        "textInput": {
            "name": name,
            "label": label,
            "value": value,
            "type": "MULTIPLE_LINE" if multiline else "SINGLE_LINE",
        }
    }


# (text, value, selected) or (text, value, selected, bottom text); all plain text.
SelectionItem = tuple[str, str, bool] | tuple[str, str, bool, str]


def _selection_item(text: str, value: str, selected: bool, bottom: str = "") -> dict[str, Any]:
    item: dict[str, Any] = {"text": text, "value": value, "selected": selected}
    if bottom:
        item["bottomText"] = bottom
    return item


def selection(name: str, label: str, kind: str, items: Sequence[SelectionItem]) -> Widget:
    """A ``selectionInput`` of SelectionItem tuples (``kind``: DROPDOWN, CHECK_BOX, RADIO_BUTTON...)."""
    if len(items) > MAX_SELECTION_ITEMS:
        raise ValueError(f"selection {name} has {len(items)} items; the limit is {MAX_SELECTION_ITEMS}")
    return {
        "selectionInput": {
            "name": name,
            "label": label,
            "type": kind,
            "items": [_selection_item(*item) for item in items],
        }
    }


def date_picker(name: str, label: str, value_ms: int | None = None) -> Widget:
    body: dict[str, Any] = {"name": name, "label": label, "type": "DATE_ONLY"}
    if value_ms is not None:
        body["valueMsEpoch"] = str(value_ms)
    return {"dateTimePicker": body}


def section(
    widgets: Iterable[Widget], header: str | None = None, *, collapsible: int | None = None
) -> Widget:
    body: dict[str, Any] = {"widgets": list(widgets)}
    if header:
        body["header"] = escape(header)
    if collapsible is not None:
        body["collapsible"] = True
        body["uncollapsibleWidgetsCount"] = collapsible
    return body


def card(
    title: str, sections: Iterable[Widget], *, subtitle: str | None = None, name: str | None = None
) -> Card:
    """A card; refuses to build one over Google's widget limit (callers paginate instead)."""
    header: dict[str, Any] = {"title": title}
    if subtitle:
        header["subtitle"] = subtitle
    built: Card = {"header": header, "sections": [s for s in sections if s["widgets"]]}
    if name:
        built["name"] = name
    count = count_widgets(built)
    if count > MAX_WIDGETS:
        raise ValueError(f"card has {count} widgets; the limit is {MAX_WIDGETS}")
    return built


def count_widgets(built: Card) -> int:
    return sum(len(s["widgets"]) for s in built.get("sections", []))
