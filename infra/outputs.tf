# Outputs, in alphabetical order.

output "addon_deployment" {
  description = "Add-on deployment descriptor (JSON) for `gcloud workspace-add-ons deployments create` (or `replace`) `--deployment-file`."
  value       = module.addon_deployment.json
}

output "addon_service_account" {
  description = "Service account whose ID tokens the add-on endpoints accept (and which may invoke them)."
  value       = local.addon_service_account
}

output "bundle_object" {
  description = "GCS object (named by content hash) the functions were built from."
  value       = "gs://${google_storage_bucket.bundle.name}/${google_storage_bucket_object.bundle.name}"
}

output "function_service_accounts" {
  description = "Runtime service account of each function."
  value       = { for name, account in google_service_account.function : name => account.email }
}

output "function_urls" {
  description = "HTTPS endpoint of each function (the deterministic run.app URL; the add-on descriptor and the scheduler jobs use these)."
  value       = local.function_urls
}

output "scheduler_service_accounts" {
  description = "Service account each Cloud Scheduler job signs its requests with."
  value       = { for job, account in google_service_account.scheduler : job => account.email }
}

output "secrets" {
  description = "Secret Manager secret ids by the environment variable that carries them; add versions with `gcloud secrets versions add`."
  value       = { for key, secret in google_secret_manager_secret.this : key => secret.secret_id }
}
