# The Google Workspace add-on deployment resource (gsuiteaddons v1 Deployment), as
# `gcloud workspace-add-ons deployments create|replace --deployment-file` takes it. Both triggers call the
# `addon` function and are told apart by a `trigger` query parameter (mail2task.addon.deployment).

locals {
  deployment = {
    oauthScopes = var.oauth_scopes
    addOns = {
      common = {
        name                = var.name
        logoUrl             = var.logo_url
        homepageTrigger     = { runFunction = "${var.addon_url}?trigger=homepage", enabled = true }
        openLinkUrlPrefixes = var.open_link_url_prefixes
      }
      gmail = {
        contextualTriggers = [{ unconditional = {}, onTriggerFunction = "${var.addon_url}?trigger=contextual" }]
      }
      httpOptions = {
        authorizationHeader            = "SYSTEM_ID_TOKEN"
        granularOauthPermissionSupport = "OPT_IN"
      }
    }
  }
}
