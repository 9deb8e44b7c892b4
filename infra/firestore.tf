# Firestore (native mode): the database, every composite index a query of the code needs, and TTL policies.
#
# tests/infra checks local.composite_indexes against mail2task.store.COMPOSITE_INDEXES in both directions.
# TTL fields follow one convention: a Timestamp field named `expiresAt` on the documents to expire. TTL only
# deletes (typically within 24 h of expiry); the code always compares expiresAt itself.

locals {
  composite_indexes = [
    {
      # refresh: due tokens of one partition (status ==, partition ==, refreshDueAt <=, ordered).
      collection = "tokens"
      fields = [
        { field_path = "status", order = "ASCENDING" },
        { field_path = "partition", order = "ASCENDING" },
        { field_path = "refreshDueAt", order = "ASCENDING" },
      ]
    },
    {
      # add-on homepage: tasks assigned to me, newest first.
      collection = "tasks"
      fields = [
        { field_path = "assigneeSub", order = "ASCENDING" },
        { field_path = "createdAt", order = "DESCENDING" },
      ]
    },
    {
      # tenancy: members who may use the app (assignee picker), ordered by email.
      collection = "members"
      fields = [
        { field_path = "access", order = "ASCENDING" },
        { field_path = "email", order = "ASCENDING" },
      ]
    },
    {
      # add-on homepage: tasks I created, newest first.
      collection = "tasks"
      fields = [
        { field_path = "creatorSub", order = "ASCENDING" },
        { field_path = "createdAt", order = "DESCENDING" },
      ]
    },
  ]

  # Collection groups with a TTL policy on local.ttl_field. The TTL field is exempt from single-field indexing
  # (never queried, and an indexed timestamp caps the write rate).
  ttl_field = "expiresAt"
  ttl_collection_groups = {
    # Short-lived records: consent starts, refresh leases, RISC jti markers, scheduler run markers.
    oauth = ["oauth_states", "refresh_leases", "risc_events", "runs"]
    # An uninstalled tenant's data after the retention period (mail2task.store.TENANT_TTL_COLLECTION_GROUPS).
    tenant = ["attachments", "audit", "comments", "members", "messages", "notifications", "tasks", "threads", "users"]
  }
}

resource "google_firestore_database" "this" {
  project                           = var.project_id
  name                              = var.firestore.database
  location_id                       = coalesce(var.firestore.location, var.region)
  type                              = "FIRESTORE_NATIVE"
  concurrency_mode                  = "PESSIMISTIC"
  app_engine_integration_mode       = "DISABLED"
  point_in_time_recovery_enablement = var.firestore.point_in_time_recovery ? "POINT_IN_TIME_RECOVERY_ENABLED" : "POINT_IN_TIME_RECOVERY_DISABLED"
  delete_protection_state           = var.firestore.delete_protection ? "DELETE_PROTECTION_ENABLED" : "DELETE_PROTECTION_DISABLED"
  deletion_policy                   = "ABANDON"
  depends_on                        = [google_project_service.this]
}

resource "google_firestore_index" "composite" {
  for_each = {
    for index in local.composite_indexes :
    "${index.collection}:${join(",", [for field in index.fields : "${field.field_path}:${field.order}"])}" => index
  }
  project     = var.project_id
  database    = google_firestore_database.this.name
  collection  = each.value.collection
  query_scope = "COLLECTION"
  dynamic "fields" {
    for_each = each.value.fields
    content {
      field_path = fields.value.field_path
      order      = fields.value.order
    }
  }
}

resource "google_firestore_field" "ttl" {
  for_each   = toset(flatten(values(local.ttl_collection_groups)))
  project    = var.project_id
  database   = google_firestore_database.this.name
  collection = each.key
  field      = local.ttl_field
  ttl_config {}
  index_config {}
}
