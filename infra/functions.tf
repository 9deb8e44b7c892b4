# One 2nd gen function per entry point, all built from the same bundle, each with its own identity, limits,
# ingress, plain settings and secret settings (secrets only ever as secret environment variables).

resource "google_artifact_registry_repository" "functions" {
  #checkov:skip=CKV_GCP_84:Images hold only the public source bundle and its open-source dependencies; Google-managed encryption is enough.
  project       = var.project_id
  location      = var.region
  repository_id = "${var.prefix}-functions"
  description   = "Images of the mail2task functions."
  format        = "DOCKER"
  cleanup_policies {
    id     = "keep-recent"
    action = "KEEP"
    most_recent_versions {
      keep_count = 5
    }
  }
  cleanup_policies {
    id     = "delete-old"
    action = "DELETE"
    condition {
      older_than = "2592000s"
    }
  }
  depends_on = [google_project_service.this]
}

resource "google_cloudfunctions2_function" "this" {
  #checkov:skip=CKV_GCP_124:Ingress is set per function in local.functions: refresh is ALLOW_INTERNAL_ONLY (Cloud Scheduler in the same project); Gmail's add-on backend, browsers and Google's RISC sender reach the others from the internet, which IAM invoker bindings or in-code verification then gate.
  for_each    = local.functions
  project     = var.project_id
  location    = var.region
  name        = local.function_names[each.key]
  description = each.value.description

  build_config {
    runtime           = var.python_runtime
    entry_point       = each.key
    docker_repository = google_artifact_registry_repository.functions.id
    service_account   = google_service_account.build.id
    source {
      storage_source {
        bucket = google_storage_bucket.bundle.name
        object = google_storage_bucket_object.bundle.name
      }
    }
  }

  service_config {
    all_traffic_on_latest_revision   = true
    available_cpu                    = local.function_config[each.key].available_cpu
    available_memory                 = local.function_config[each.key].available_memory
    environment_variables            = local.function_environment[each.key]
    ingress_settings                 = each.value.ingress
    max_instance_count               = local.function_config[each.key].max_instance_count
    max_instance_request_concurrency = local.function_config[each.key].max_instance_request_concurrency
    min_instance_count               = local.function_config[each.key].min_instance_count
    service_account_email            = google_service_account.function[each.key].email
    timeout_seconds                  = local.function_config[each.key].timeout_seconds

    dynamic "secret_environment_variables" {
      for_each = toset(local.function_secrets[each.key])
      content {
        key        = secret_environment_variables.value
        project_id = var.project_id
        secret     = google_secret_manager_secret.this[secret_environment_variables.value].secret_id
        version    = local.secrets[secret_environment_variables.value].version
      }
    }
  }

  lifecycle {
    precondition {
      condition     = local.function_config[each.key].min_instance_count <= local.function_config[each.key].max_instance_count
      error_message = "functions.${each.key}: min_instance_count must not exceed max_instance_count."
    }
    precondition {
      condition     = local.function_config[each.key].max_instance_request_concurrency == 1 || tonumber(local.function_config[each.key].available_cpu) >= 1
      error_message = "functions.${each.key}: more than one concurrent request needs available_cpu of at least 1."
    }
  }

  depends_on = [
    google_artifact_registry_repository_iam_member.build,
    google_project_iam_member.build_logs,
    google_project_iam_member.function,
    google_secret_manager_secret_iam_member.function,
    google_storage_bucket_iam_member.build,
  ]
}
