"""What the walker needs to know about one MIME part, read from its headers once."""

from __future__ import annotations

from dataclasses import dataclass, field
from email.message import Message
from email.utils import collapse_rfc2231_value

from mail2task.conversion.attachments import Params, content_id_of, filename_from, header_params
from mail2task.conversion.headers import unfold
from mail2task.conversion.payloads import transfer_encoding


@dataclass(frozen=True)
class PartInfo:
    """Content type, disposition, file name and Content-Type parameters of one part."""

    content_type: str
    disposition: str | None
    filename: str
    params: dict[str, str] = field(default_factory=dict)
    content_id: str | None = None
    transfer_encoding: str = ""

    @property
    def subtype(self) -> str:
        return self.content_type.partition("/")[2]

    @property
    def charset(self) -> str | None:
        value = self.params.get("charset", "").strip().lower()
        return value if value and value.isascii() and value.isprintable() else None


def _values(params: Params) -> dict[str, str]:
    values: dict[str, str] = {}
    for key, value in params[1:]:
        try:
            text = collapse_rfc2231_value(value) if isinstance(value, tuple) else value
        except (ValueError, LookupError, TypeError):  # a charset label the codec registry rejects
            continue
        values.setdefault(key.strip().lower(), str(text))
    return values


def read_part(part: Message, hint: str | None) -> PartInfo:
    """Read ``part``'s headers once (``Message`` accessors scan and re-parse them on every call)."""
    headers: dict[str, str] = {}
    for name, value in part.raw_items():
        headers.setdefault(name.lower(), unfold(str(value)))  # the first occurrence, as Message.get
    type_params = header_params(part, "content-type", headers.get("content-type"))
    disposition_params = header_params(part, "content-disposition", headers.get("content-disposition"))
    disposition = disposition_params[0][0].strip().lower() if disposition_params else None
    declared = type_params[0][0].strip().lower() if type_params else ""
    return PartInfo(
        # as Message.get_content_type() decides, from the list already parsed
        content_type=declared if declared.count("/") == 1 else part.get_default_type(),
        disposition=disposition or None,
        filename=filename_from(disposition_params, type_params, hint),
        params=_values(type_params),
        content_id=content_id_of(headers.get("content-id")),
        transfer_encoding=transfer_encoding(headers.get("content-transfer-encoding")),
    )
