# The deploy bundle: one zip of functions/ (no tests, caches or local development tooling), stored under its
# content hash so a code change uploads a new object and redeploys every function, and nothing else does.

locals {
  bundle_excludes = [
    "**/__pycache__",
    "**/*.pyc",
    "**/.mypy_cache",
    "**/.pytest_cache",
    "**/.ruff_cache",
    "**/tests",
    "**/test_*.py",
    "**/*.egg-info",
    "mail2task/local",
  ]
}

data "archive_file" "bundle" {
  type        = "zip"
  source_dir  = "${path.module}/../functions"
  output_path = "${path.module}/.build/functions.zip"
  excludes    = local.bundle_excludes
}

resource "google_storage_bucket" "bundle" {
  #checkov:skip=CKV_GCP_62:Holds only build inputs (source zips); access is recorded by Cloud Audit Logs, a second log bucket adds nothing.
  project                     = var.project_id
  name                        = "${var.prefix}-${var.project_id}-bundles"
  location                    = var.region
  force_destroy               = false
  public_access_prevention    = "enforced"
  uniform_bucket_level_access = true
  versioning {
    enabled = true
  }
  lifecycle_rule {
    action {
      type = "Delete"
    }
    condition {
      days_since_noncurrent_time = 30
      with_state                 = "ARCHIVED"
    }
  }
  depends_on = [google_project_service.this]
}

resource "google_storage_bucket_object" "bundle" {
  bucket = google_storage_bucket.bundle.name
  name   = "functions-${data.archive_file.bundle.output_md5}.zip"
  source = data.archive_file.bundle.output_path
}
