"""Walk the MIME tree the way a mail client shows it: body texts, attachments, forwarded messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from email.message import Message

from mail2task.conversion.attachments import TNEF_TYPES, build_attachment
from mail2task.conversion.body_text import part_text
from mail2task.conversion.charsets import decode_text
from mail2task.conversion.limits import MAX_ATTACHMENTS, MAX_DEPTH
from mail2task.conversion.model import Attachment
from mail2task.conversion.parse import reparse_with_found_boundary
from mail2task.conversion.part_info import PartInfo, read_part
from mail2task.conversion.payloads import decode_payload
from mail2task.conversion.plain_text import plain_body

BODY_TYPES = ("text/plain", "text/html")
SIGNATURE_TYPES = frozenset(
    {"application/pgp-signature", "application/pkcs7-signature", "application/x-pkcs7-signature"}
)


@dataclass
class Content:
    """What one message (the outer one or a forwarded one) shows: its texts and forwarded messages."""

    message: Message
    texts: list[str] = field(default_factory=list)
    forwards: list[Content] = field(default_factory=list)


class PartWalker:
    """Collects the attachments of a whole message tree and the content of each message in it."""

    def __init__(self, notes: list[str], hint: str | None) -> None:
        self.notes = notes
        self.hint = hint
        self.attachments: list[Attachment] = []
        self._seen: set[tuple[str, str]] = set()
        self._too_deep = False
        self._capped = False
        self._infos: dict[int, PartInfo] = {}

    def read(self, message: Message) -> Content:
        content = Content(message)
        self._walk(message, content, depth=0, texts=True, inline_context=False)
        return content

    def _walk(
        self, part: Message, content: Content, *, depth: int, texts: bool, inline_context: bool
    ) -> None:
        if depth > MAX_DEPTH:
            if not self._too_deep:
                self._too_deep = True
                self.notes.append(f"Parts nested deeper than {MAX_DEPTH} levels were not read.")
            return
        if part.is_multipart():
            children = [c for c in part.get_payload() if isinstance(c, Message)]
            self._container(part, children, content, depth, texts)
        elif self._info(part).content_type.startswith("multipart/"):
            self._broken_multipart(part, content, depth=depth, texts=texts)
        else:
            self._leaf(part, content, texts=texts, inline_context=inline_context)

    def _broken_multipart(self, part: Message, content: Content, *, depth: int, texts: bool) -> None:
        """A multipart whose boundary is missing or never used: re-read it with the boundary its body
        actually uses, else show the body as plain text."""
        info = self._info(part)
        data = decode_payload(part, info.transfer_encoding).data
        recovered = reparse_with_found_boundary(data, info.subtype)
        if recovered is not None:
            self.notes.append("The declared MIME boundary does not occur; the one in the body was used.")
            self._walk(recovered, content, depth=depth + 1, texts=texts, inline_context=False)
        elif texts and data.strip():
            content.texts.append(
                plain_body(decode_text(data, info.charset).text, flowed=False, delete_space=False)
            )

    def _container(
        self, part: Message, children: list[Message], content: Content, depth: int, texts: bool
    ) -> None:
        maintype, _, subtype = self._info(part).content_type.partition("/")
        if maintype == "message":
            if subtype in ("rfc822", "global") and children:
                forwarded = Content(children[0])
                content.forwards.append(forwarded)
                self._walk(children[0], forwarded, depth=depth + 1, texts=True, inline_context=False)
            else:
                self._walk_all(children, content, depth, texts=False, inline_context=False)
            return
        if subtype == "alternative":
            self._alternative(children, content, depth, texts)
            return
        if subtype == "related":
            self._related(part, children, content, depth, texts)
            return
        if subtype == "encrypted":
            self.notes.append("The message is encrypted; its content cannot be read.")
        self._walk_all(children, content, depth, texts=texts, inline_context=False)

    def _walk_all(
        self, children: list[Message], content: Content, depth: int, *, texts: bool, inline_context: bool
    ) -> None:
        for child in children:
            self._walk(child, content, depth=depth + 1, texts=texts, inline_context=inline_context)

    def _alternative(self, children: list[Message], content: Content, depth: int, texts: bool) -> None:
        """Show one alternative (text/plain if it has content, else HTML, else the richest multipart);
        still collect attachments and calendar invites from the others."""
        chosen: Message | None = None
        plain_text = ""
        if texts:
            for child in children:
                if self._is_body(child) and self._info(child).content_type == "text/plain":
                    plain_text = part_text(
                        self._info(child),
                        decode_payload(child, self._info(child).transfer_encoding).data,
                        self.notes,
                    )
                    if plain_text.strip():
                        chosen = child
                        break
            if chosen is None:
                chosen = next(
                    (c for c in children if self._is_body(c) and self._info(c).content_type == "text/html"),
                    None,
                )
            if chosen is None:
                chosen = next((c for c in reversed(children) if c.is_multipart()), None)
        for child in children:
            if child is chosen and plain_text:
                content.texts.append(plain_text)
            elif child is chosen:
                self._walk(child, content, depth=depth + 1, texts=True, inline_context=False)
            elif child.is_multipart() or not self._is_body(child):
                self._walk(child, content, depth=depth + 1, texts=False, inline_context=False)

    def _related(
        self, part: Message, children: list[Message], content: Content, depth: int, texts: bool
    ) -> None:
        """The root part (``start`` parameter, else the first) is shown; the rest are embedded resources."""
        start = self._info(part).params.get("start", "").strip().strip("<>")
        root = next((c for c in children if start and self._info(c).content_id == start), None)
        root = root or (children[0] if children else None)
        for child in children:
            self._walk(
                child,
                content,
                depth=depth + 1,
                texts=texts and child is root,
                inline_context=child is not root,
            )

    def _info(self, part: Message) -> PartInfo:
        key = id(part)
        info = self._infos.get(key)
        if info is None:
            info = self._infos[key] = read_part(part, self.hint)
        return info

    def _text(self, part: Message) -> str:
        info = self._info(part)
        return part_text(info, decode_payload(part, info.transfer_encoding).data, self.notes)

    def _is_body(self, part: Message) -> bool:
        """A text/plain or text/html part meant to be read in place: not marked attachment, no file name."""
        info = self._info(part)
        return info.content_type in BODY_TYPES and info.disposition != "attachment" and not info.filename

    def _leaf(self, part: Message, content: Content, *, texts: bool, inline_context: bool) -> None:
        info = self._info(part)
        if info.content_type in SIGNATURE_TYPES:
            return
        if self._is_body(part):
            if texts:
                content.texts.append(
                    part_text(info, decode_payload(part, info.transfer_encoding).data, self.notes)
                )
            return
        if len(self.attachments) >= MAX_ATTACHMENTS:
            if not self._capped:
                self._capped = True
                self.notes.append(f"Only the first {MAX_ATTACHMENTS} attachments are listed.")
            return
        payload = decode_payload(part, info.transfer_encoding)
        attachment = build_attachment(
            payload.data,
            content_type=info.content_type,
            disposition=info.disposition,
            filename=info.filename,
            content_id=info.content_id,
            number=len(self.attachments) + 1,
            inline_context=inline_context,
        )
        if payload.damaged:
            self.notes.append(
                f"Attachment {attachment.filename!r} was damaged in transfer; decoded best-effort."
            )
        if info.content_type in TNEF_TYPES or attachment.filename.lower() == "winmail.dat":
            self.notes.append(
                "winmail.dat (Outlook rich-text format) is attached as is; its contents are not unpacked."
            )
        key = (attachment.sha256, attachment.filename)
        if key not in self._seen:
            self._seen.add(key)
            self.attachments.append(attachment)
