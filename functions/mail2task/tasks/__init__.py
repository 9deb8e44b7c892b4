"""Tasks: the record and its Firestore repository (tenant-scoped, idempotent ids, thread links, comments)."""
