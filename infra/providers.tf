# Provider configuration of the root module: every resource lives in one project and region.

provider "google" {
  project               = var.project_id
  region                = var.region
  user_project_override = true
  billing_project       = var.project_id
  default_labels        = var.labels
}
