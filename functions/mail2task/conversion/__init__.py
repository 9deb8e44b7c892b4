"""Message-to-task conversion, pure: RFC 5322 bytes in, a ``TaskDraft`` out (no network, no Google Cloud).

from mail2task.conversion import convert
draft = convert(raw_bytes)          # never raises on malformed mail; MessageTooLarge over the limit
draft.to_dict()                     # title, description, sender, ..., attachments, warnings
"""

from mail2task.conversion.draft import MessageTooLarge, convert
from mail2task.conversion.model import Attachment, Person, TaskDraft

__all__ = ["Attachment", "MessageTooLarge", "Person", "TaskDraft", "convert"]
