"""Load the YAML file into `ArbridgeSettings`, reporting every problem at once."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from arbridge.config._yaml import LineMap, locate, read_yaml
from arbridge.config.models import ArbridgeSettings
from arbridge.config.secrets import SecretRef
from arbridge.domain.errors import ConfigError, ConfigProblem

_SQLITE_PREFIX = re.compile(r"^(sqlite(?:\+\w+)?:///)(.*)$")


def load_settings(path: Path) -> ArbridgeSettings:
    """Read, validate and resolve a config file.

    Args:
        path: the YAML file.

    Returns:
        Frozen settings with paths made absolute.

    Raises:
        ConfigError: with every problem found (YAML path and line each).
    """
    path = path.expanduser().resolve()
    data, lines = read_yaml(path)
    if not isinstance(data, dict):
        raise ConfigError(
            str(path), [ConfigProblem(path="", message="expected a mapping at the top")]
        )
    try:
        settings = ArbridgeSettings.model_validate(data, context={"base_dir": path.parent})
    except ValidationError as exc:
        raise ConfigError(str(path), _problems(exc, lines)) from None
    settings = _with_resolved_store_url(settings, path.parent)
    secret_problems = list(_secret_problems(settings.model_dump(), (), lines))
    if secret_problems:
        raise ConfigError(str(path), secret_problems)
    return settings


def settings_json_schema() -> str:
    """The JSON Schema of the config file, for IT's editor."""
    schema = ArbridgeSettings.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "arbridge configuration"
    return json.dumps(schema, indent=2, sort_keys=True)


def _problems(exc: ValidationError, lines: LineMap) -> list[ConfigProblem]:
    problems = []
    for error in exc.errors(include_url=False, include_input=False):
        yaml_path, line = locate(tuple(error["loc"]), lines)
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            message = "unknown key (not part of the configuration)"
        problems.append(ConfigProblem(path=yaml_path, message=message, line=line))
    return problems


def _with_resolved_store_url(settings: ArbridgeSettings, base_dir: Path) -> ArbridgeSettings:
    match = _SQLITE_PREFIX.match(settings.store.url)
    if match is None or match.group(2) in ("", ":memory:") or match.group(2).startswith("/"):
        return settings
    absolute = (base_dir / match.group(2)).resolve()
    store = settings.store.model_copy(update={"url": f"{match.group(1)}{absolute}"})
    return settings.model_copy(update={"store": store})


def _secret_problems(data: Any, path: tuple[str | int, ...], lines: LineMap) -> list[ConfigProblem]:
    """Every secret reference (or `url: env:...`) that points at nothing."""
    found: list[ConfigProblem] = []
    if isinstance(data, dict):
        for key, value in data.items():
            found += _secret_problems(value, (*path, key), lines)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += _secret_problems(value, (*path, index), lines)
    elif isinstance(data, str) and re.match(r"^(env:[A-Za-z_]\w*|file:.+)$", data):
        problem = SecretRef(data).problem()
        if problem is not None:
            yaml_path, line = locate(path, lines)
            found.append(ConfigProblem(path=yaml_path, message=problem, line=line))
    return found
