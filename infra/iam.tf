# Identities and grants: one service account per function holding only its listed roles, a dedicated build
# account, and who may invoke each function (the scheduled jobs' accounts are in scheduler.tf).

resource "google_service_account" "function" {
  for_each     = local.functions
  project      = var.project_id
  account_id   = local.function_names[each.key]
  display_name = "mail2task ${each.key} function"
  description  = "Runtime identity of the ${each.key} function: ${each.value.description}"
  depends_on   = [google_project_service.this]
}

resource "google_service_account" "build" {
  project      = var.project_id
  account_id   = "${var.prefix}-build"
  display_name = "mail2task function builds"
  description  = "Builds the function images from the source bundle."
  depends_on   = [google_project_service.this]
}

# Project-level roles of each function. Firestore roles are limited to this bundle's database.
resource "google_project_iam_member" "function" {
  for_each = {
    for grant in flatten([
      for name, fn in local.functions : [for role in fn.roles : { function = name, role = role }]
    ]) : "${grant.function}/${grant.role}" => grant
  }
  project = var.project_id
  role    = each.value.role
  member  = google_service_account.function[each.value.function].member
  dynamic "condition" {
    for_each = startswith(each.value.role, "roles/datastore.") ? [""] : []
    content {
      title       = "mail2task-database-only"
      description = "Only the Firestore database of this deployment."
      expression  = "resource.name == \"${google_firestore_database.this.id}\""
    }
  }
}

# Builds: write logs, push to the bundle's image repository, read the source bundle.
resource "google_project_iam_member" "build_logs" {
  project = var.project_id
  role    = "roles/logging.logWriter"
  member  = google_service_account.build.member
}

resource "google_artifact_registry_repository_iam_member" "build" {
  project    = var.project_id
  location   = google_artifact_registry_repository.functions.location
  repository = google_artifact_registry_repository.functions.name
  role       = "roles/artifactregistry.writer"
  member     = google_service_account.build.member
}

resource "google_storage_bucket_iam_member" "build" {
  bucket = google_storage_bucket.bundle.name
  role   = "roles/storage.objectViewer"
  member = google_service_account.build.member
}

# Invokers (Cloud Run invoker on each function's service). The add-on's Google-managed service account calls
# the add-on endpoints; each scheduled job's account calls its one function. The two public endpoints follow.
resource "google_cloud_run_v2_service_iam_member" "invoker" {
  for_each = {
    for grant in flatten([
      for name, fn in local.functions : [
        for who in fn.invokers : { function = name, principal = who }
      ]
    ]) : "${grant.function}/${grant.principal}" => grant
  }
  project  = var.project_id
  location = var.region
  name     = google_cloudfunctions2_function.this[each.value.function].name
  role     = "roles/run.invoker"
  member   = local.invoker_members[each.value.principal]
}

# Public endpoints, on purpose (local.public_functions): browsers reach `oauth` (consent redirects) and
# Google's RISC sender reaches `risc`; neither sends a Google ID token Cloud Run could check. Both authenticate
# every request in code (one-time state + PKCE; security event tokens signed with Google's RISC keys).
# The custom checkov policy CKV_M2T_1 fails any allUsers invoker on another function.
resource "google_cloud_run_v2_service_iam_member" "public" {
  for_each = toset(local.public_functions)
  project  = var.project_id
  location = var.region
  name     = google_cloudfunctions2_function.this[each.key].name
  role     = "roles/run.invoker"
  member   = "allUsers"
}
