"""The deployed functions' entry points, one module each; each imports its service lazily."""

from mail2task.entrypoints.addon import addon, convert
from mail2task.entrypoints.install import install
from mail2task.entrypoints.oauth import oauth
from mail2task.entrypoints.refresh import refresh
from mail2task.entrypoints.risc import risc

__all__ = ["addon", "convert", "install", "oauth", "refresh", "risc"]
