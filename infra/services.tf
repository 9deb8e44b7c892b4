# Google APIs the bundle needs. Disabling on destroy is off: other workloads in the project may use them.

locals {
  services = [
    "admin.googleapis.com",                # Directory API (tenant admins, member picker), called with users' tokens
    "appsmarket-component.googleapis.com", # Google Workspace Marketplace SDK (app listing)
    "appsmarket.googleapis.com",           # Marketplace licensing API (customerLicense / userLicense)
    "artifactregistry.googleapis.com",     # function images
    "cloudbuild.googleapis.com",           # function builds
    "cloudfunctions.googleapis.com",       # the functions
    "cloudresourcemanager.googleapis.com", # project IAM bindings
    "cloudscheduler.googleapis.com",       # token refresh and tenancy sweep
    "firestore.googleapis.com",            # state
    "gmail.googleapis.com",                # reading the open message, sending notifications
    "gsuiteaddons.googleapis.com",         # add-on deployments (gcloud workspace-add-ons)
    "iam.googleapis.com",                  # service accounts
    "risc.googleapis.com",                 # Cross-Account Protection stream
    "run.googleapis.com",                  # the services behind 2nd gen functions
    "secretmanager.googleapis.com",        # OAuth client secret, token-encryption key
    "storage.googleapis.com",              # source bundle bucket
  ]
}

resource "google_project_service" "this" {
  for_each           = toset(local.services)
  project            = var.project_id
  service            = each.value
  disable_on_destroy = false
}
