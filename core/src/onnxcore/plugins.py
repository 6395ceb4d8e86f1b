"""Plugin loading: entry points of the ``onnxcore`` group, each loaded and called in isolation.

Environment switches (names match an entry-point name such as ``bert`` or a distribution such as
``onnxcore-bert``):

- ``ONNXCORE_LOAD_PLUGINS``: unset loads all; ``""`` loads none; ``"bert,gpt2"`` loads only those.
- ``ONNXCORE_DISABLE_PLUGINS``: ``"broken"`` loads all but those.
- ``ONNXCORE_PREFER_PLUGINS``: plugins that win when two register the same ``(model_type, feature)``.
- ``ONNXCORE_STRICT_PLUGINS=1``: any plugin failure is an error instead of a warning (for CI).

Core's own tasks, exporters and steps come from its default plugins (:mod:`onnxcore.builtin_tasks`,
:mod:`onnxcore.exporters.builtin`, :mod:`onnxcore.steps.builtin`), registered the same way, always. They are
named here and imported when the host loads, as datasette loads its default plugins: the exporters sit above the
plugin host in core's layers, and reach the registry through it.
"""

from __future__ import annotations

import dataclasses
import importlib
import os
import warnings
from collections.abc import Mapping, Sequence
from importlib import metadata
from typing import Any

import pluggy

from . import hookspecs
from .errors import PluginError
from .registry import Registry

ENTRY_POINT_GROUP = "onnxcore"
BUILTIN_PLUGINS = ("onnxcore.builtin_tasks", "onnxcore.exporters.builtin", "onnxcore.steps.builtin")


class PluginLoadWarning(UserWarning):
    """A plugin failed to load or to register; the others keep working."""


@dataclasses.dataclass
class PluginInfo:
    """What ``onnxcore plugins`` shows for one plugin."""

    name: str
    distribution: str
    version: str
    entry_point: str
    hooks: list[str] = dataclasses.field(default_factory=list)
    model_types: list[str] = dataclasses.field(default_factory=list)
    status: str = "ok"
    error: str | None = None
    builtin: bool = False

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return dataclasses.asdict(self)


@dataclasses.dataclass
class PluginHost:
    """The loaded plugin manager, what each plugin is, and the registry they filled."""

    manager: pluggy.PluginManager
    plugins: list[PluginInfo]
    registry: Registry


def _names(value: str | None) -> set[str] | None:
    if value is None:
        return None
    return {name.strip() for name in value.split(",") if name.strip()}


def _matches(names: set[str], info: PluginInfo) -> bool:
    return bool(names & {info.name, info.distribution})


def _fail(info: PluginInfo, stage: str, exc: BaseException, strict: bool) -> None:
    info.status = "error"
    info.error = f"{stage}: {type(exc).__name__}: {exc}"
    message = (
        f"plugin {info.name!r} ({info.distribution} {info.version}) {info.error}; the other plugins still work."
        f" Disable it with ONNXCORE_DISABLE_PLUGINS={info.name} or fix/uninstall {info.distribution}."
    )
    if strict:
        raise PluginError(message) from exc
    warnings.warn(message, PluginLoadWarning, stacklevel=3)


def _entry_point_infos() -> list[tuple[metadata.EntryPoint, PluginInfo]]:
    found = []
    for entry_point in sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name):
        dist = entry_point.dist
        info = PluginInfo(
            name=entry_point.name,
            distribution=dist.metadata["Name"] if dist is not None else "?",
            version=dist.version if dist is not None else "?",
            entry_point=f"{entry_point.name} = {entry_point.value}",
        )
        found.append((entry_point, info))
    return found


def _run_hook(host: PluginHost, hook_name: str, make_register: Any, commit: Any, strict: bool) -> None:
    """Call each implementation of a registration hook alone; commit its registrations only if it succeeds."""
    infos = {info.name: info for info in host.plugins}
    for impl in getattr(host.manager.hook, hook_name).get_hookimpls():
        info = infos[impl.plugin_name]
        if info.status != "ok":
            continue
        staged: list[Any] = []
        try:
            kwargs = {"register": make_register(impl.plugin_name, staged)}
            impl.function(**{name: kwargs[name] for name in impl.argnames})
            for item in staged:
                commit(item)
        except Exception as exc:
            _fail(info, hook_name, exc, strict)


def _register(manager: pluggy.PluginManager, info: PluginInfo, load: Any, strict: bool) -> None:
    """Import and register one plugin; a failure or an unknown hook name marks only that plugin as broken."""
    try:
        plugin = load()
        manager.register(plugin, name=info.name)
    except Exception as exc:
        _fail(info, "load", exc, strict)
        return
    unknown = [hook.name for hook in manager.get_hookcallers(plugin) or [] if not hook.has_spec()]
    if unknown:
        manager.unregister(plugin)
        _fail(info, "load", PluginError(f"implements unknown hook(s) {', '.join(unknown)}"), strict)


def load_plugins(environ: Mapping[str, str] | None = None, extra_plugins: Sequence[object] = ()) -> PluginHost:
    """Build a fresh plugin manager, load built-ins, ``extra_plugins`` and entry points, run the hooks.

    ``extra_plugins`` are objects or modules with hookimpls (named by their ``__name__``), registered before
    entry points; tests and programs that embed onnxcore use them to add plugins without installing any.
    """
    env = os.environ if environ is None else environ
    strict = env.get("ONNXCORE_STRICT_PLUGINS", "") not in ("", "0")
    only = _names(env.get("ONNXCORE_LOAD_PLUGINS"))
    disabled = _names(env.get("ONNXCORE_DISABLE_PLUGINS")) or set()
    preferred = sorted(_names(env.get("ONNXCORE_PREFER_PLUGINS")) or set())

    manager = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    manager.add_hookspecs(hookspecs)
    host = PluginHost(manager, [], Registry(preferred_plugins=preferred))
    core_version = metadata.version("onnxcore")
    for name in BUILTIN_PLUGINS:
        manager.register(importlib.import_module(name), name=name)
        host.plugins.append(PluginInfo(name, "onnxcore", core_version, name, builtin=True))
    for plugin in extra_plugins:
        name = getattr(plugin, "__name__", type(plugin).__name__)
        info = PluginInfo(name, "(not installed)", "-", name)
        host.plugins.append(info)
        _register(manager, info, lambda plugin=plugin: plugin, strict)

    for entry_point, info in _entry_point_infos():
        host.plugins.append(info)
        if (only is not None and not _matches(only, info)) or _matches(disabled, info):
            info.status = "disabled"
            continue
        if manager.get_plugin(info.name) is not None:
            _fail(info, "load", PluginError(f"the name {info.name!r} is already taken by another plugin"), strict)
            continue
        _register(manager, info, entry_point.load, strict)

    for info in host.plugins:
        plugin = manager.get_plugin(info.name)
        if plugin is not None:
            info.hooks = sorted(hook.name for hook in manager.get_hookcallers(plugin) or [])

    registry = host.registry
    _run_hook(host, "register_tasks", registry.task_registrar, registry.add_task, strict)
    _run_hook(host, "register_onnx_configs", registry.config_registrar, registry.add_config, strict)
    _run_hook(host, "register_exporters", registry.exporter_registrar, registry.add_exporter, strict)
    _run_hook(host, "register_steps", registry.step_registrar, registry.add_step, strict)

    owners: dict[str, set[str]] = {}
    for model_type in registry.model_types():
        for entries in registry.registrations(model_type).values():
            for entry in entries:
                owners.setdefault(entry.plugin, set()).add(model_type)
    for info in host.plugins:
        info.model_types = sorted(owners.get(info.name, ()))
    conflicts = registry.conflicts()
    if strict and conflicts:
        entries = conflicts[0]
        raise PluginError(
            f"{entries[0].feature!r} of {entries[0].model_type!r} is registered by "
            + " and ".join(repr(entry.plugin) for entry in entries)
        )
    return host


_host: PluginHost | None = None


def get_host() -> PluginHost:
    """The process-wide plugin host, loaded on first use."""
    global _host
    if _host is None:
        _host = load_plugins()
    return _host


def set_host(host: PluginHost | None) -> None:
    """Replace the process-wide host (None: reload from the environment on next use)."""
    global _host
    _host = host


def get_registry() -> Registry:
    """The process-wide registry, filled by the installed plugins."""
    return get_host().registry
