# Cloud Scheduler jobs, each calling one function over HTTP with an OIDC token of its own service account
# (which may invoke only that function). Delivery is at-least-once (the functions de-duplicate runs); the
# attempt deadline outlasts the function's timeout so a slow run is never retried in parallel while it works.
#
# The token's audience is the function's bare URL: Cloud Run's invoker check accepts only the service URL.

locals {
  scheduled_jobs = {
    refresh = {
      description = "Refreshes stored OAuth tokens before they are needed."
      function    = "refresh"
      query       = ""
    }
    sweep = {
      description = "Tenancy sweep: stale licenses, offboarding, queued invitations, pending revocations."
      function    = "install"
      query       = "?job=sweep"
    }
  }
}

resource "google_service_account" "scheduler" {
  for_each     = local.scheduled_jobs
  project      = var.project_id
  account_id   = "${var.prefix}-${each.key}-job"
  display_name = "mail2task ${each.key} job"
  description  = "Signs the OIDC token Cloud Scheduler sends to the ${each.value.function} function; may invoke only that function."
  depends_on   = [google_project_service.this]
}

resource "google_cloud_scheduler_job" "this" {
  for_each         = local.scheduled_jobs
  project          = var.project_id
  region           = var.region
  name             = "${var.prefix}-${each.key}"
  description      = each.value.description
  schedule         = var.schedules[each.key].schedule
  time_zone        = var.schedules[each.key].time_zone
  paused           = var.schedules[each.key].paused
  attempt_deadline = "${min(local.function_config[each.value.function].timeout_seconds + 30, 1800)}s"

  retry_config {
    retry_count          = var.schedules[each.key].retry_count
    min_backoff_duration = "30s"
    max_backoff_duration = "300s"
    max_doublings        = 3
  }

  http_target {
    http_method = "POST"
    uri         = "${local.function_urls[each.value.function]}${each.value.query}"
    headers     = { "Content-Type" = "application/json" }
    body        = base64encode("{}")
    oidc_token {
      service_account_email = google_service_account.scheduler[each.key].email
      audience              = local.function_urls[each.value.function]
    }
  }

  lifecycle {
    precondition {
      condition     = local.function_config[each.value.function].timeout_seconds + 30 <= 1800
      error_message = "functions.${each.value.function}.timeout_seconds must be at most 1770: Cloud Scheduler's attempt deadline (timeout + 30 s) is capped at 30 minutes."
    }
    precondition {
      condition     = local.function_config[each.value.function].timeout_seconds >= 120
      error_message = "functions.${each.value.function}.timeout_seconds must be at least 120: scheduled runs stop starting work 60 s before the timeout."
    }
  }

  depends_on = [google_cloud_run_v2_service_iam_member.invoker, google_project_service.this]
}
