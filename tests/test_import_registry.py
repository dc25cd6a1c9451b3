"""Import kinds belong to their apps: the engine gathers each app's KINDS, so a new dataset
touches its app only."""

from importlib import import_module

import pytest

from sct_monitor.importing import registry


@pytest.mark.parametrize(
    ("app", "slugs"),
    [
        ("kpis", {"kpi-wide", "kpi-long", "comparators", "targets", "sn-model", "dfe-ees", "dfe-mappings"}),
        (
            "audits",
            {
                "audits",
                "complaints",
                "audit-findings",
                "complaints-areas",
                "inspection-items",
                "plan-actions",
                "risks",
                "surveys",
                "workforce",
            },
        ),
        ("finance", {"finance"}),
    ],
)
def test_each_app_declares_its_own_kinds(app, slugs):
    declared = {kind.slug for kind in import_module(f"{app}.imports").KINDS}
    assert declared == slugs
    assert all(registry.KINDS[slug].parse.__module__.startswith(f"{app}.") for slug in slugs)


def test_the_engine_offers_every_kind_the_apps_declare_and_no_other():
    declared = [
        kind.slug for app in ("kpis", "audits", "finance") for kind in import_module(f"{app}.imports").KINDS
    ]
    assert sorted(registry.gather()) == sorted(declared)


def test_two_apps_declaring_one_kind_is_refused(monkeypatch):
    kpis_imports = import_module("kpis.imports")
    monkeypatch.setattr(import_module("finance.imports"), "KINDS", [kpis_imports.KINDS[0]])
    with pytest.raises(ValueError, match="two apps declare the import kind 'kpi-wide'"):
        registry.gather()
