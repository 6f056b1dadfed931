"""A model type's options as form fields, and the submitted fields back as a config.

Defaults come from the registry (``validate_config(model_type, {})``), so the form always
shows what training would use. Values are typed in as text: a number, ``true``/``false``,
or a comma-separated list of numbers; an empty field means "the default". The config is
then checked exactly as the REST API checks it, and an error naming an option is shown
next to that option's field.
"""

from __future__ import annotations

import json
from typing import Any

import msgspec

from synthgen_core.errors import ConfigOptionError
from synthgen_core.models.registry import model_types, validate_config
from synthgen_service.errors import InvalidField

#: Form fields of options are named ``option.<name>``.
PREFIX = "option."
#: Options a text field cannot express; the REST API takes them (docs/constraints.md).
API_ONLY = {"constraints"}


class Option(msgspec.Struct, kw_only=True):
    """One field of the train form."""

    name: str
    value: str
    choices: list[str] | None = None
    help: str = ""


def type_ids() -> list[tuple[str, str]]:
    """(id, name) of every model type, for the ``Model type`` select."""
    return [(info.id, info.name) for info in model_types()]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def _properties(model_type: str) -> dict[str, Any]:
    info = next(info for info in model_types() if info.id == model_type)
    schema = info.config_schema
    properties: dict[str, Any] = schema["$defs"][schema["$ref"].split("/")[-1]]["properties"]
    return properties


def form_options(model_type: str, sent: dict[str, str] | None = None) -> list[Option]:
    """The fields for ``model_type``: what was sent, else the registry's defaults."""
    defaults = validate_config(model_type, {})
    properties = _properties(model_type)
    options = []
    for name, default in defaults.items():
        if name in API_ONLY:
            continue
        spec = properties.get(name, {})
        choices = spec.get("enum") or (["true", "false"] if isinstance(default, bool) else None)
        value = (sent or {}).get(PREFIX + name, _text(default))
        options.append(Option(name=name, value=value, choices=choices, help=_help(spec)))
    return options


def _help(spec: dict[str, Any]) -> str:
    described = spec.get("description") or next(
        (part.get("description") for part in spec.get("anyOf", []) if "description" in part), ""
    )
    return str(described or "")


def _parse(text: str, default: Any) -> Any:
    """Text typed into an option's field as the JSON value the config expects."""
    if isinstance(default, list) or (default is None and "," in text):
        text = f"[{text}]"
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text  # a word (an enum choice, a device): the config check judges it


def parse_config(model_type: str, fields: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The checked config with defaults filled in, and the errors by option name."""
    defaults = validate_config(model_type, {})
    raw = {
        name: _parse(fields[PREFIX + name].strip(), defaults[name])
        for name in defaults
        if name not in API_ONLY and fields.get(PREFIX + name, "").strip()
    }
    try:
        return validate_config(model_type, raw), {}
    except ConfigOptionError as exc:
        return {}, {exc.option: str(exc)}


def option_error(exc: InvalidField) -> dict[str, str] | None:
    """An error the service's budget checks raised, by option (None: not about one)."""
    key = exc.key or ""
    return {key.removeprefix("config."): exc.detail} if key.startswith("config.") else None


__all__ = [
    "API_ONLY",
    "PREFIX",
    "Option",
    "form_options",
    "option_error",
    "parse_config",
    "type_ids",
]
