# Inputs, in alphabetical order. Required (no default): addon_oauth_client_id, oauth_client_id, project_id, region.

variable "addon_deployment" {
  description = "Listing of the Gmail add-on in the rendered deployment descriptor: display name, logo URL, OAuth scopes and openLink URL prefixes. Null attributes keep the defaults of modules/addon-deployment, which match `mail2task deployment`."
  type = object({
    logo_url               = optional(string)
    name                   = optional(string)
    oauth_scopes           = optional(list(string))
    open_link_url_prefixes = optional(list(string))
  })
  default  = {}
  nullable = false
}

variable "addon_oauth_client_id" {
  description = "OAuth client id of the add-on (`oauthClientId` from `gcloud workspace-add-ons get-authorization`): the audience of users' ID tokens."
  type        = string
  validation {
    condition     = can(regex("^[0-9]+-[a-z0-9]+\\.apps\\.googleusercontent\\.com$", var.addon_oauth_client_id))
    error_message = "addon_oauth_client_id must look like 1234-abc.apps.googleusercontent.com."
  }
}

variable "addon_service_account_email" {
  description = "Service account that signs the add-on's requests (`serviceAccountEmail` from `gcloud workspace-add-ons get-authorization`). Null: the project's service-PROJECT_NUMBER@gcp-sa-gsuiteaddons.iam.gserviceaccount.com."
  type        = string
  default     = null
  validation {
    condition     = var.addon_service_account_email == null || can(regex("^[a-z0-9-]+@[a-z0-9-]+\\.iam\\.gserviceaccount\\.com$", coalesce(var.addon_service_account_email, "x")))
    error_message = "addon_service_account_email must be a service account email."
  }
}

variable "firestore" {
  description = "Firestore database: id ((default) keeps the free tier), location (defaults to region), point-in-time recovery and delete protection."
  type = object({
    database               = optional(string, "(default)")
    delete_protection      = optional(bool, true)
    location               = optional(string)
    point_in_time_recovery = optional(bool, true)
  })
  default  = {}
  nullable = false
  validation {
    condition     = var.firestore.database == "(default)" || can(regex("^[a-z][a-z0-9-]{2,61}[a-z0-9]$", var.firestore.database))
    error_message = "firestore.database must be (default) or 4-63 lowercase letters, digits and hyphens."
  }
}

variable "functions" {
  description = "Per-function overrides of the limits in local.functions (keys: entry point names). Unset attributes keep the per-function defaults."
  type = map(object({
    available_cpu                    = optional(string)
    available_memory                 = optional(string)
    max_instance_count               = optional(number)
    max_instance_request_concurrency = optional(number)
    min_instance_count               = optional(number)
    timeout_seconds                  = optional(number)
  }))
  default  = {}
  nullable = false
  validation {
    condition     = alltrue([for name in keys(var.functions) : contains(keys(local.functions), name)])
    error_message = "functions: keys must be function names: ${join(", ", keys(local.functions))}."
  }
  validation {
    condition = alltrue([
      for fn in values(var.functions) : alltrue([
        fn.available_memory == null || can(regex("^[0-9]+(Mi|Gi)$", coalesce(fn.available_memory, "0Mi"))),
        fn.available_cpu == null || can(tonumber(fn.available_cpu)),
        fn.timeout_seconds == null || (coalesce(fn.timeout_seconds, 1) >= 1 && coalesce(fn.timeout_seconds, 1) <= 3600),
        fn.max_instance_request_concurrency == null || (coalesce(fn.max_instance_request_concurrency, 1) >= 1 && coalesce(fn.max_instance_request_concurrency, 1) <= 1000),
        fn.min_instance_count == null || coalesce(fn.min_instance_count, 0) >= 0,
        fn.max_instance_count == null || coalesce(fn.max_instance_count, 1) >= 1,
      ])
    ])
    error_message = "functions: memory like 512Mi or 1Gi, cpu a number, timeout 1-3600 s, concurrency 1-1000, min instances >= 0, max instances >= 1."
  }
}

variable "labels" {
  description = "Labels added to every resource that supports them."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "oauth_client_id" {
  description = "Client id of the web OAuth client (Google Auth Platform) that holds users' offline grants; its secret goes to Secret Manager out of band."
  type        = string
  validation {
    condition     = can(regex("^[0-9]+-[a-z0-9]+\\.apps\\.googleusercontent\\.com$", var.oauth_client_id))
    error_message = "oauth_client_id must look like 1234-abc.apps.googleusercontent.com."
  }
}

variable "oauth_client_secret_version" {
  description = "Secret Manager version of the OAuth client secret the functions mount (a number, or latest)."
  type        = string
  default     = "latest"
  nullable    = false
  validation {
    condition     = can(regex("^([1-9][0-9]*|latest)$", var.oauth_client_secret_version))
    error_message = "oauth_client_secret_version must be a version number or latest."
  }
}

variable "prefix" {
  description = "Prefix of every resource name (functions, service accounts, secrets, bucket, image repository, scheduler jobs)."
  type        = string
  default     = "mail2task"
  nullable    = false
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,14}[a-z0-9]$", var.prefix))
    error_message = "prefix must be 2-16 lowercase letters, digits or hyphens, start with a letter and not end with a hyphen."
  }
}

variable "project_id" {
  description = "Google Cloud project that hosts the functions, Firestore, secrets and the add-on deployment."
  type        = string
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a Google Cloud project id (6-30 lowercase letters, digits or hyphens)."
  }
}

variable "python_runtime" {
  description = "Python runtime of the functions."
  type        = string
  default     = "python311"
  nullable    = false
  validation {
    condition     = contains(["python311", "python312"], var.python_runtime)
    error_message = "python_runtime must be python311 or python312."
  }
}

variable "region" {
  description = "Region of the functions, scheduler jobs, bundle bucket and image repository (and Firestore unless firestore.location is set)."
  type        = string
  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]+$", var.region))
    error_message = "region must be a Google Cloud region such as europe-west1."
  }
}

variable "schedules" {
  description = "Cloud Scheduler jobs: cron schedule, time zone, retries (0-5) and pause switch of the token refresh (every 10 minutes; keep it under REFRESH_WINDOW_SECONDS) and the tenancy sweep (every 15 minutes)."
  type = object({
    refresh = optional(object({
      paused      = optional(bool, false)
      retry_count = optional(number, 2)
      schedule    = optional(string, "*/10 * * * *")
      time_zone   = optional(string, "Etc/UTC")
    }), {})
    sweep = optional(object({
      paused      = optional(bool, false)
      retry_count = optional(number, 2)
      schedule    = optional(string, "*/15 * * * *")
      time_zone   = optional(string, "Etc/UTC")
    }), {})
  })
  default  = {}
  nullable = false
  validation {
    condition     = alltrue([for job in [var.schedules.refresh, var.schedules.sweep] : job.retry_count >= 0 && job.retry_count <= 5])
    error_message = "schedules: retry_count must be between 0 and 5."
  }
  validation {
    condition     = alltrue([for job in [var.schedules.refresh, var.schedules.sweep] : length(split(" ", trimspace(job.schedule))) == 5])
    error_message = "schedules: schedule must be a five-field cron expression."
  }
}

variable "settings" {
  description = "Optional settings the code reads (environment variable => value), given to every function that reads them. Settings Terraform manages and secrets are not accepted here."
  type        = map(string)
  default     = {}
  nullable    = false
  validation {
    condition = alltrue([
      for key in keys(var.settings) : contains(flatten(values(local.settings_classes)), key)
    ])
    error_message = "settings: every key must be a variable the code reads (see local.settings_classes)."
  }
  validation {
    condition = alltrue([
      for key in keys(var.settings) : !contains(keys(local.setting_values), key) && !contains(keys(local.secrets), key)
    ])
    error_message = "settings: ${join(", ", keys(local.setting_values))} are set by Terraform and secrets come from Secret Manager."
  }
}

variable "token_encryption_key_version" {
  description = "Secret Manager version number of the current token-encryption key. Add a version out of band, then set it here to rotate; records under older versions stay readable."
  type        = string
  default     = "1"
  nullable    = false
  validation {
    condition     = can(regex("^[1-9][0-9]*$", var.token_encryption_key_version))
    error_message = "token_encryption_key_version must be a version number (not latest): it is stored with every encrypted record."
  }
}
