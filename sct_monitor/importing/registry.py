"""Every kind of import, gathered from the apps: each lists its own as ``KINDS`` in its ``imports``
module, so a new dataset touches its app only. Keyed by the name used on the page and the command line."""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps

from sct_monitor.importing.kinds import Kind


def gather() -> dict[str, Kind]:
    kinds: dict[str, Kind] = {}
    for config in apps.get_app_configs():
        name = f"{config.name}.imports"
        if find_spec(name) is None:
            continue
        for kind in getattr(import_module(name), "KINDS", []):
            if kind.slug in kinds:
                raise ValueError(f"two apps declare the import kind {kind.slug!r}")
            kinds[kind.slug] = kind
    return kinds


KINDS = gather()
