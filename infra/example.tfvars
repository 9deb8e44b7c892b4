# Example inputs: copy to terraform.tfvars (git-ignored) and replace the values.
# addon_* come from `gcloud workspace-add-ons get-authorization`; oauth_client_id from the web OAuth client.

project_id = "acme-mail2task"
region     = "europe-west1"

addon_oauth_client_id       = "123456789012-abcdefghijklmnopqrstuvwxyz012345.apps.googleusercontent.com"
addon_service_account_email = "service-123456789012@gcp-sa-gsuiteaddons.iam.gserviceaccount.com"
oauth_client_id             = "123456789012-zyxwvutsrqponmlkjihgfedcba543210.apps.googleusercontent.com"

# Version of the token-encryption key the functions mount; raise it after adding a new version to rotate.
token_encryption_key_version = "1"

addon_deployment = {
  name = "mail2task"
}

firestore = {
  location = "eur3"
}

functions = {
  addon = {
    min_instance_count = 1
  }
  refresh = {
    timeout_seconds = 540
  }
}

schedules = {
  refresh = { schedule = "*/10 * * * *" }
  sweep   = { schedule = "*/15 * * * *" }
}

settings = {
  MARKETPLACE_APP_ID    = "123456789012"
  OAUTH_RETURN_TARGETS  = "https://mail.google.com/mail/"
  TENANT_RETENTION_DAYS = "30"
}

labels = {
  app = "mail2task"
}
