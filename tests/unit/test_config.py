from __future__ import annotations

import pytest

from mail2task.config import ConversionSettings, CoreSettings, load, variables
from mail2task.errors import ConfigError


def test_missing_required_variable_is_named() -> None:
    with pytest.raises(ConfigError, match="GOOGLE_CLOUD_PROJECT"):
        load(CoreSettings, {})


def test_defaults_and_conversion() -> None:
    settings = load(ConversionSettings, {"MAX_MESSAGE_BYTES": "1024"})
    assert settings.max_message_bytes == 1024
    assert load(ConversionSettings, {}).max_message_bytes == 25 * 1024 * 1024


def test_malformed_variable_is_named() -> None:
    with pytest.raises(ConfigError, match="MAX_MESSAGE_BYTES"):
        load(ConversionSettings, {"MAX_MESSAGE_BYTES": "lots"})


def test_profile_must_be_known() -> None:
    with pytest.raises(ConfigError, match="MAIL2TASK_PROFILE"):
        load(CoreSettings, {"GOOGLE_CLOUD_PROJECT": "p", "MAIL2TASK_PROFILE": "dev"})
    assert load(CoreSettings, {"GOOGLE_CLOUD_PROJECT": "p", "MAIL2TASK_PROFILE": "local"}).is_local


def test_variables_lists_names_and_docs() -> None:
    names = {v["name"]: v for v in variables(CoreSettings)}
    assert names["GOOGLE_CLOUD_PROJECT"]["required"] is True
    assert names["MAIL2TASK_PROFILE"]["default"] == "production"
