"""Shared test helpers: stand-ins and fixtures usable by every tier."""
