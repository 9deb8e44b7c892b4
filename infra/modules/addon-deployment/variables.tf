# Inputs, in alphabetical order. Null for name, logo_url or oauth_scopes means the default below.

variable "addon_url" {
  description = "HTTPS URL of the `addon` function; the homepage and contextual triggers call it with ?trigger=homepage|contextual."
  type        = string
  validation {
    condition     = startswith(var.addon_url, "https://") && !strcontains(var.addon_url, "?")
    error_message = "addon_url must be an https URL without a query string."
  }
}

variable "logo_url" {
  description = "HTTPS URL of the add-on's logo (a raster image; SVG is not allowed)."
  type        = string
  default     = "https://www.gstatic.com/images/branding/product/2x/tasks_48dp.png"
  nullable    = false
  validation {
    condition     = startswith(var.logo_url, "https://") && !endswith(lower(var.logo_url), ".svg")
    error_message = "logo_url must be an https URL of a raster image (SVG is not allowed)."
  }
}

variable "name" {
  description = "Display name of the add-on."
  type        = string
  default     = "mail2task"
  nullable    = false
  validation {
    condition     = length(trimspace(var.name)) > 0
    error_message = "name must not be empty."
  }
}

variable "oauth_scopes" {
  description = "OAuth scopes the add-on requests: add-on execution, the open message (read-only) and the user's email (for userIdToken)."
  type        = list(string)
  default = [
    "https://www.googleapis.com/auth/gmail.addons.execute",
    "https://www.googleapis.com/auth/gmail.addons.current.message.readonly",
    "https://www.googleapis.com/auth/userinfo.email",
  ]
  nullable = false
  validation {
    condition     = length(var.oauth_scopes) > 0 && alltrue([for scope in var.oauth_scopes : startswith(scope, "https://www.googleapis.com/auth/")])
    error_message = "oauth_scopes must be a non-empty list of Google OAuth scope URLs."
  }
}

variable "open_link_url_prefixes" {
  description = "URL prefixes cards may open with openLink (https only): Gmail for task links, Google accounts for sign-in."
  type        = list(string)
  default     = ["https://mail.google.com/mail/", "https://accounts.google.com/"]
  nullable    = false
  validation {
    condition     = alltrue([for prefix in var.open_link_url_prefixes : startswith(prefix, "https://")])
    error_message = "open_link_url_prefixes must be https URL prefixes."
  }
}
