# Terraform and provider versions: a floor for the features used here and a major-version ceiling.

terraform {
  # 1.9: variable validations that refer to other objects (locals) of the module.
  required_version = ">= 1.9.0, < 2.0.0"
  required_providers {
    archive = {
      # 2.4: glob patterns (doublestar) in archive_file excludes.
      source  = "hashicorp/archive"
      version = ">= 2.4.0, < 3.0.0"
    }
    google = {
      source  = "hashicorp/google"
      version = ">= 7.0.0, < 8.0.0"
    }
  }
}
