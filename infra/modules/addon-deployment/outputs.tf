# Outputs, in alphabetical order.

output "deployment" {
  description = "The deployment descriptor as an object."
  value       = local.deployment
}

output "json" {
  description = "The deployment descriptor as JSON, ready for --deployment-file."
  value       = jsonencode(local.deployment)
}

output "name" {
  description = "Display name of the add-on."
  value       = var.name
}
