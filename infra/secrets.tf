# Secret Manager secrets. Terraform creates the secrets and the per-function accessor grants only: secret
# values never pass through Terraform (no google_secret_manager_secret_version here), so they never reach the
# state. Operators add versions out of band with `gcloud secrets versions add` (see README.md).

resource "google_secret_manager_secret" "this" {
  for_each  = local.secrets
  project   = var.project_id
  secret_id = "${var.prefix}-${each.value.secret_id}"
  labels    = { purpose = lower(replace(each.key, "_", "-")) }
  annotations = {
    description = each.value.description
  }
  replication {
    auto {}
  }
  depends_on = [google_project_service.this]
}

# Each function may read exactly the secrets its settings read (local.function_secrets).
resource "google_secret_manager_secret_iam_member" "function" {
  for_each = {
    for grant in flatten([
      for name, secret_keys in local.function_secrets : [for key in secret_keys : { function = name, secret = key }]
    ]) : "${grant.function}/${grant.secret}" => grant
  }
  project   = var.project_id
  secret_id = google_secret_manager_secret.this[each.value.secret].secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.function[each.value.function].member
}
