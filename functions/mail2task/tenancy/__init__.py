"""Tenants, members, who may use the app, licensing, notifications, audit trail and offboarding."""
