"""Plugins with MozDef's contract, for alert plugins (alerts/plugins/) and alert actions.

A plugin is a module defining a class ``message`` whose instances have

- ``registration``: lowercase strings matched against every key and value of the
  message (strings compared lowercased, as MozDef did), or ``'*'`` for every message;
  a single string is accepted too;
- ``priority`` (optional, default 100): lower runs first;
- ``onMessage(message) -> message | None``: returns the (changed) message, or None to
  drop it; later plugins do not see a dropped message.

Plugins are named in settings (``ALERT_PLUGINS``): a plain name is a module of the
plugin package (``'ip_source_enrichment'`` -> ``plugins.ip_source_enrichment``), a
dotted name is a full module path. `PluginSet.load` imports and checks them all once;
a plugin that fails to import, to construct, or lacks the contract raises ConfigError
naming it. At run time an exception inside ``onMessage`` (or a return value that is
neither a dict nor None) raises AlertError naming the plugin: the caller's run fails
visibly instead of sending an alert the plugin did not get to enrich.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from lib.errors import AlertError, ConfigError

log = logging.getLogger(__name__)

DEFAULT_PRIORITY = 100
MATCH_ALL = "*"


@dataclass(frozen=True)
class Plugin:
    """One loaded plugin: its name, its ``message`` instance and its registration."""

    name: str
    instance: Any
    registration: frozenset[Any]
    priority: int

    def wants(self, fields: set[Any]) -> bool:
        """True if this plugin registered for any of `fields` (which include '*')."""
        return bool(self.registration & fields)


class PluginSet:
    """The enabled plugins of one kind, loaded and checked on first use."""

    def __init__(self, package: str, names: Iterable[str], kind: str = "alert plugin") -> None:
        self.package = package
        self.names = tuple(names)
        self.kind = kind
        self._plugins: list[Plugin] | None = None

    def load(self) -> list[Plugin]:
        """Import and check every enabled plugin (once); return them in run order."""
        if self._plugins is None:
            loaded = [self._load_one(name) for name in self.names]
            self._plugins = sorted(loaded, key=lambda plugin: plugin.priority)
        return self._plugins

    def run(self, message: dict[str, Any]) -> dict[str, Any] | None:
        """Pass `message` through every plugin registered for it; None if one dropped it."""
        if not isinstance(message, dict):
            raise AlertError(f"{self.kind}s take a dict, got {type(message).__name__}")
        for plugin in self.load():
            if not plugin.wants(message_fields(message)):
                continue
            message = self._call(plugin, message)
            if message is None:
                log.info("%s %s dropped the message", self.kind, plugin.name)
                return None
        return message

    def _call(self, plugin: Plugin, message: dict[str, Any]) -> Any:
        try:
            result = plugin.instance.onMessage(message)
        except Exception as exc:  # the plugin boundary: name the plugin, keep the cause
            raise AlertError(f"{self.kind} {plugin.name} failed: {exc!r}") from exc
        if result is not None and not isinstance(result, dict):
            raise AlertError(
                f"{self.kind} {plugin.name} returned {type(result).__name__}, not a dict or None"
            )
        return result

    def _load_one(self, name: str) -> Plugin:
        module = self._import(name)
        plugin_class = getattr(module, "message", None)
        if not isinstance(plugin_class, type):
            raise ConfigError(f"{self.kind} {name} defines no class 'message'")
        try:
            instance = plugin_class()
        except Exception as exc:  # the plugin boundary: a broken plugin stops start-up
            raise ConfigError(f"{self.kind} {name} failed to start: {exc!r}") from exc
        return Plugin(
            name,
            instance,
            _registration(name, instance, self.kind),
            _priority(name, instance, self.kind),
        )

    def _import(self, name: str) -> Any:
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(f"{self.kind} names must be non-empty strings, got {name!r}")
        module_name = name if "." in name else f"{self.package}.{name}"
        try:
            return importlib.import_module(module_name)
        except Exception as exc:  # the plugin boundary: name the plugin that failed
            raise ConfigError(f"{self.kind} {name} failed to import: {exc!r}") from exc


def _registration(name: str, instance: Any, kind: str) -> frozenset[Any]:
    registration = getattr(instance, "registration", None)
    if isinstance(registration, str):
        registration = [registration]
    if not isinstance(registration, list | tuple | set | frozenset) or not registration:
        raise ConfigError(f"{kind} {name} needs a non-empty 'registration' list")
    if not callable(getattr(instance, "onMessage", None)):
        raise ConfigError(f"{kind} {name} has no onMessage(message) method")
    return frozenset(registration)


def _priority(name: str, instance: Any, kind: str) -> int:
    priority = getattr(instance, "priority", DEFAULT_PRIORITY)
    if isinstance(priority, bool) or not isinstance(priority, int):
        raise ConfigError(f"{kind} {name} has a non-integer priority {priority!r}")
    return priority


def message_fields(message: Any) -> set[Any]:
    """Every key and value in `message` (strings lowercased) plus '*', for registration."""
    fields = {field for field in _flatten(message) if _hashable(field)}
    fields.add(MATCH_ALL)
    return fields


def _flatten(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _flatten(key)
            yield from _flatten(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _flatten(item)
    elif isinstance(value, datetime):
        yield value.isoformat()
    elif isinstance(value, str):
        yield value.lower()
    else:
        yield value


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


@lru_cache(maxsize=32)
def plugin_set(package: str, names: tuple[str, ...], kind: str = "alert plugin") -> PluginSet:
    """The shared PluginSet for `names` in `package` (loaded once per process)."""
    return PluginSet(package, names, kind)
