# What gets deployed: one entry per function (= entry point in functions/main.py), the settings classes each
# function loads, and where every setting's value comes from.
#
# tests/infra checks these tables against the code, so drift fails `make test`: local.functions has exactly
# the exported entry points; each function's `settings` are its classes in mail2task.config.FUNCTION_SETTINGS;
# local.settings_classes lists exactly the variables each class reads; every required variable has a value
# here (local.setting_values) or in Secret Manager (local.secrets); `roles` stay within the allowed runtime
# roles and `invokers` within the intended callers.

locals {
  functions = {
    addon = {
      description = "Gmail add-on: homepage and contextual cards, light card actions."
      settings = [
        "AddonSettings", "ConversionSettings", "CoreSettings", "OAuthClientSettings", "SecretManagerSettings",
        "TenancySettings", "VaultSettings",
      ]
      roles    = ["roles/datastore.user"]
      invokers = ["addon"]
      ingress  = "ALLOW_ALL"
      defaults = {
        available_cpu                    = "1"
        available_memory                 = "512Mi"
        max_instance_count               = 20
        max_instance_request_concurrency = 16
        min_instance_count               = 1
        timeout_seconds                  = 30
      }
    }
    convert = {
      description = "Gmail add-on: \"Create task\" actions, fetch the open message and store the task."
      settings = [
        "AddonSettings", "ConversionSettings", "CoreSettings", "OAuthClientSettings", "SecretManagerSettings",
        "TenancySettings", "VaultSettings",
      ]
      roles    = ["roles/datastore.user"]
      invokers = ["addon"]
      ingress  = "ALLOW_ALL"
      defaults = {
        available_cpu                    = "1"
        available_memory                 = "1Gi"
        max_instance_count               = 20
        max_instance_request_concurrency = 8
        min_instance_count               = 0
        timeout_seconds                  = 60
      }
    }
    install = {
      description = "Tenants and members on first use, licensing, admin setup of who may use the app."
      settings = [
        "AddonSettings", "CoreSettings", "OAuthClientSettings", "SecretManagerSettings", "TenancySettings",
        "VaultSettings",
      ]
      roles    = ["roles/datastore.user"]
      invokers = ["addon", "sweep_job"]
      ingress  = "ALLOW_ALL"
      defaults = {
        available_cpu                    = "1"
        available_memory                 = "512Mi"
        max_instance_count               = 10
        max_instance_request_concurrency = 8
        min_instance_count               = 0
        timeout_seconds                  = 300
      }
    }
    oauth = {
      description = "Per-user consent: start, callback (PKCE, one-time state) and disconnect."
      settings = [
        "AddonSettings", "ConsentSettings", "CoreSettings", "OAuthClientSettings", "SecretManagerSettings",
        "TenancySettings", "VaultSettings",
      ]
      roles    = ["roles/datastore.user"]
      invokers = [] # public, see local.public_functions
      ingress  = "ALLOW_ALL"
      defaults = {
        available_cpu                    = "1"
        available_memory                 = "512Mi"
        max_instance_count               = 10
        max_instance_request_concurrency = 8
        min_instance_count               = 0
        timeout_seconds                  = 30
      }
    }
    refresh = {
      description = "Scheduled refresh of stored OAuth tokens; detects revoked grants."
      settings    = ["CoreSettings", "OAuthClientSettings", "RefreshSettings", "SecretManagerSettings", "VaultSettings"]
      roles       = ["roles/datastore.user"]
      invokers    = ["refresh_job"]
      ingress     = "ALLOW_INTERNAL_ONLY"
      defaults = {
        available_cpu                    = "1"
        available_memory                 = "512Mi"
        max_instance_count               = 1
        max_instance_request_concurrency = 1
        min_instance_count               = 0
        timeout_seconds                  = 540
      }
    }
    risc = {
      description = "Cross-Account Protection receiver: revocation and account-disabled events."
      settings    = ["CoreSettings", "RiscSettings"]
      roles       = ["roles/datastore.user"]
      invokers    = [] # public, see local.public_functions
      ingress     = "ALLOW_ALL"
      defaults = {
        available_cpu                    = "1"
        available_memory                 = "512Mi"
        max_instance_count               = 5
        max_instance_request_concurrency = 8
        min_instance_count               = 0
        timeout_seconds                  = 30
      }
    }
  }

  # The environment variables each settings class of mail2task.config reads.
  settings_classes = {
    AddonSettings = [
      "ADDON_MAX_ATTACHMENT_BYTES", "ADDON_OAUTH_CLIENT_ID", "ADDON_SERVICE_ACCOUNT", "ADDON_URL", "CONVERT_URL",
      "GMAIL_API_ENDPOINT", "GOOGLE_CERTS_URL", "INSTALL_URL", "MAIL2TASK_PROFILE", "OAUTH_URL",
    ]
    ConsentSettings = [
      "MAIL2TASK_PROFILE", "OAUTH_AUTH_URL", "OAUTH_REDIRECT_URL", "OAUTH_RETURN_TARGETS", "OAUTH_STATE_TTL_SECONDS",
    ]
    ConversionSettings = ["MAX_MESSAGE_BYTES"]
    CoreSettings       = ["FIRESTORE_DATABASE", "GOOGLE_CLOUD_PROJECT", "MAIL2TASK_PROFILE"]
    OAuthClientSettings = [
      "GOOGLE_CERTS_URL", "MAIL2TASK_PROFILE", "OAUTH_CLIENT_ID", "OAUTH_CLIENT_SECRET", "OAUTH_HTTP_TIMEOUT_SECONDS",
      "OAUTH_REVOKE_URL", "OAUTH_TOKEN_URL",
    ]
    RefreshSettings = [
      "REFRESH_ACTIVE_DAYS", "REFRESH_CONCURRENCY", "REFRESH_IDLE_DAYS", "REFRESH_PAGE_SIZE",
      "REFRESH_TIME_BUDGET_SECONDS", "REFRESH_URL", "REFRESH_WINDOW_SECONDS", "SCHEDULER_SERVICE_ACCOUNT",
    ]
    RiscSettings          = ["MAIL2TASK_PROFILE", "OAUTH_CLIENT_ID", "RISC_CONFIG_URL", "RISC_EXTRA_CLIENT_IDS"]
    SecretManagerSettings = ["MAIL2TASK_SECRET_MANAGER_HOST", "TOKEN_ENCRYPTION_KEY_SECRET"]
    TenancySettings = [
      "APP_NAME", "DIRECTORY_API_ENDPOINT", "LAST_SEEN_INTERVAL_SECONDS", "LICENSE_CACHE_SECONDS",
      "LICENSE_RETRY_SECONDS", "LICENSING_API_ENDPOINT", "MAIL2TASK_PROFILE", "MARKETPLACE_APP_ID", "START_URL",
      "SWEEP_SERVICE_ACCOUNT", "TENANT_RETENTION_DAYS",
    ]
    VaultSettings = ["TOKEN_ENCRYPTION_KEY", "TOKEN_ENCRYPTION_KEY_VERSION"]
  }

  # Secret Manager secrets, keyed by the environment variable that carries the mounted version. Functions
  # receive them only as secret environment variables (never plain ones) and may read only their own.
  secrets = {
    OAUTH_CLIENT_SECRET = {
      secret_id   = "oauth-client-secret"
      description = "Client secret of the web OAuth client that holds users' offline grants."
      version     = var.oauth_client_secret_version
    }
    TOKEN_ENCRYPTION_KEY = {
      secret_id   = "token-key"
      description = "Token-encryption key (base64 of 32 random bytes); older versions stay readable for rotation."
      version     = var.token_encryption_key_version
    }
  }

  # Values Terraform sets. Other plain settings come from var.settings when given, else the code's default.
  setting_values = {
    ADDON_OAUTH_CLIENT_ID        = var.addon_oauth_client_id
    ADDON_SERVICE_ACCOUNT        = local.addon_service_account
    ADDON_URL                    = local.function_urls.addon
    APP_NAME                     = module.addon_deployment.name
    CONVERT_URL                  = local.function_urls.convert
    FIRESTORE_DATABASE           = google_firestore_database.this.name
    GOOGLE_CLOUD_PROJECT         = var.project_id
    INSTALL_URL                  = local.function_urls.install
    MAIL2TASK_PROFILE            = "production"
    OAUTH_CLIENT_ID              = var.oauth_client_id
    OAUTH_REDIRECT_URL           = local.function_urls.oauth
    OAUTH_URL                    = local.function_urls.oauth
    REFRESH_TIME_BUDGET_SECONDS  = tostring(local.function_config.refresh.timeout_seconds - 60)
    REFRESH_URL                  = local.function_urls.refresh
    RISC_EXTRA_CLIENT_IDS        = var.addon_oauth_client_id
    SCHEDULER_SERVICE_ACCOUNT    = google_service_account.scheduler["refresh"].email
    SWEEP_SERVICE_ACCOUNT        = google_service_account.scheduler["sweep"].email
    TOKEN_ENCRYPTION_KEY_SECRET  = google_secret_manager_secret.this["TOKEN_ENCRYPTION_KEY"].secret_id
    TOKEN_ENCRYPTION_KEY_VERSION = local.secrets.TOKEN_ENCRYPTION_KEY.version
  }

  # Who may invoke a function, by the names used in local.functions[*].invokers: the add-on's service account,
  # and each scheduled job's own account (scheduler.tf).
  invoker_members = merge(
    { addon = "serviceAccount:${local.addon_service_account}" },
    { for job in keys(local.scheduled_jobs) : "${job}_job" => google_service_account.scheduler[job].member },
  )

  # Reachable without a Google ID token (allUsers invoker), each authenticating every request in code:
  # browsers follow consent redirects to `oauth`; Google's RISC sender pushes security events to `risc`.
  public_functions = ["oauth", "risc"]

  addon_service_account = coalesce(
    var.addon_service_account_email,
    "service-${data.google_project.this.number}@gcp-sa-gsuiteaddons.iam.gserviceaccount.com",
  )

  function_config = {
    for name, fn in local.functions : name => merge(fn.defaults, {
      for key, value in try(var.functions[name], {}) : key => value if value != null
    })
  }
  function_variables = {
    for name, fn in local.functions : name => sort(distinct(flatten([for cls in fn.settings : local.settings_classes[cls]])))
  }
  function_secrets = {
    for name, variables in local.function_variables : name => [for key in variables : key if contains(keys(local.secrets), key)]
  }
  function_environment = {
    for name, variables in local.function_variables : name => merge(
      { for key in variables : key => var.settings[key] if contains(keys(var.settings), key) },
      { for key in variables : key => local.setting_values[key] if contains(keys(local.setting_values), key) },
    )
  }
  function_names = { for name in keys(local.functions) : name => "${var.prefix}-${name}" }
  # Deterministic run.app URLs: known before the functions exist, so each function can be told its own URL
  # (the audience Google's ID tokens carry) without a dependency cycle.
  function_urls = {
    for name, service in local.function_names : name => "https://${service}-${data.google_project.this.number}.${var.region}.run.app"
  }
}

data "google_project" "this" {
  project_id = var.project_id
}

# The add-on deployment descriptor (same shape as `mail2task deployment --base-url URL` prints).
module "addon_deployment" {
  source       = "./modules/addon-deployment"
  addon_url    = local.function_urls.addon
  logo_url     = var.addon_deployment.logo_url
  name         = var.addon_deployment.name
  oauth_scopes = var.addon_deployment.oauth_scopes

  open_link_url_prefixes = var.addon_deployment.open_link_url_prefixes
}
