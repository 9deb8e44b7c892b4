"""Cloud Functions entry points: each deployed function's `entry_point` is one name below."""

from mail2task.entrypoints import addon, convert, install, oauth, refresh, risc

__all__ = ["addon", "convert", "install", "oauth", "refresh", "risc"]
