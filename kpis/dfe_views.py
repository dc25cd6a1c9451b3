"""DfE mappings and neighbour models, kept by administrators in the service: which file column
feeds which indicator, and the date each neighbour model applies from."""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.generic import FormView, TemplateView

from kpis.dfe_comparators import model_rule_in_words, refresh_dfe_comparators
from kpis.dfe_mappings import (
    CONFLICT_FIELDS,
    FIELDS,
    REQUIRED,
    clean_mapping,
    mapping_as_text,
    same_day_conflict,
)
from kpis.dfe_rules import describe_stands_on, parse_filters, parse_stands_on
from kpis.models import DfeMapping, Indicator, NeighbourModel
from sct_monitor.record_views import DayField, InvalidIsBadRequest

LABELS = {
    "indicator_code": ("Indicator", "The code of the indicator the column feeds, such as 13 or CLA-RATE."),
    "column": ("File column", "The column of the DfE file, such as vacancy_rate_fte or CPP_At31."),
    "filters": (
        "Rows to use",
        "Filter columns and the value each must hold: name=value;name=value, such as "
        "population_type=Children looked after on 31 March each year. Blank for every row.",
    ),
    "stands_on": (
        "Day each figure describes",
        "Month and day, MM-DD: 03-31 for 31 March, 09-30 for 30 September.",
    ),
    "publication": (
        "Publication",
        "The publication the column comes from, such as Children's social work workforce. A file with "
        "some of a publication's columns is warned about each mapped column it lacks.",
    ),
    "denominator": (
        "Denominator (derived rates only)",
        "The indicator whose figures divide this column, such as POP-0-17 (ONS children aged 0 to 17).",
    ),
    "denominator_year_offset": (
        "Denominator year",
        "Years from the figure's year to the denominator's: -1 for the year before.",
    ),
    "multiplier": ("Multiplier", "10000 for a rate per 10,000 children."),
    "decimal_places": (
        "Decimal places",
        "The derived rate is rounded half up to this many places, as the DfE does.",
    ),
    "rank_polarity": (
        "Rank and band as",
        "How the DfE's LAIT ranks this figure: blank for the indicator's own polarity; higher, lower, "
        "or none (neither ranked nor banded, as LAIT treats the looked-after rate).",
    ),
    "definition_note": (
        "How the DfE's definition differs",
        "Shown beside the DfE figure on the indicator's page, such as the DfE's date against the "
        "trust's monthly one.",
    ),
    "description": ("Description", ""),
}
LONG_TEXT = {"definition_note", "filters"}


class DfeMappingForm(forms.Form):
    """Every field as text, read by kpis.dfe_mappings.clean_mapping (the import's rules)."""

    def __init__(self, *args, instance: DfeMapping | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance = instance
        for name in FIELDS:
            label, hint = LABELS[name]
            widget = forms.Textarea if name in LONG_TEXT else forms.TextInput
            self.fields[name] = forms.CharField(
                label=label, help_text=hint, required=name in REQUIRED,
                widget=widget, max_length=2000,
                error_messages={"required": f"Enter the {label.lower()}"},
            )  # fmt: skip
        if instance is not None and not self.is_bound:
            self.initial = mapping_as_text(instance)

    def clean(self):
        data = super().clean()
        indicators = {i.code: i for i in Indicator.objects.all()}
        # Every problem at once, so that nothing surfaces only on the next submit.
        raw = {name: data.get(name, self.data.get(name, "")) for name in FIELDS}
        row, problems = clean_mapping(raw, indicators)
        for problem in problems:
            if problem.field not in self.errors:
                self.add_error(problem.field, problem.message[0].upper() + problem.message[1:])
        if not problems:
            others = DfeMapping.objects.all()
            if self.instance is not None:
                others = others.exclude(pk=self.instance.pk)
            same = others.filter(
                indicator_id=row["indicator_id"], column=row["column"], filters=row["filters"]
            )
            if same.exists():
                self.add_error(
                    "column", "This indicator already has a mapping of this column with these rows"
                )
            elif conflict := same_day_conflict(row, others.values(*CONFLICT_FIELDS)):
                self.add_error("stands_on", conflict[0].upper() + conflict[1:])
        self.row = row
        return data


class MappingListView(PermissionRequiredMixin, TemplateView):
    permission_required = "kpis.view_dfemapping"
    template_name = "kpis/dfe_mappings.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        mappings = list(DfeMapping.objects.select_related("indicator", "denominator"))
        for mapping in mappings:
            mapping.filter_pairs = parse_filters(mapping.filters)
            mapping.stands_on_words = describe_stands_on(*parse_stands_on(mapping.stands_on))
        context.update(
            mappings=mappings,
            can_change=self.request.user.has_perm("kpis.change_dfemapping"),
            models=list(NeighbourModel.objects.all()),
            rule=model_rule_in_words(),
        )
        return context


class MappingFormView(InvalidIsBadRequest, PermissionRequiredMixin, FormView):
    form_class = DfeMappingForm
    template_name = "records/form.html"
    instance: DfeMapping | None = None

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.instance}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title="Change a DfE mapping" if self.instance else "Add a DfE mapping",
            back_url=reverse("dfe_mappings"),
            intro="Which column of a DfE file feeds which indicator. The change applies the next time the "
            "file is imported.",
        )
        return context

    def form_valid(self, form):
        mapping = self.instance or DfeMapping()
        for name, value in form.row.items():
            setattr(mapping, name, value)
        mapping._change_reason = "DfE mapping saved in the service"
        mapping.save()
        messages.success(
            self.request, f"Saved the mapping {mapping}. Import the DfE file again for it to take effect."
        )
        return HttpResponseRedirect(reverse("dfe_mappings"))


class MappingCreateView(MappingFormView):
    permission_required = "kpis.add_dfemapping"


class MappingUpdateView(MappingFormView):
    permission_required = "kpis.change_dfemapping"

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.instance = get_object_or_404(DfeMapping.objects.select_related("indicator"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)


class MappingDeleteView(PermissionRequiredMixin, TemplateView):
    permission_required = "kpis.delete_dfemapping"
    template_name = "kpis/dfe_mapping_delete.html"
    http_method_names = ["get", "post"]

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.mapping = get_object_or_404(DfeMapping.objects.select_related("indicator"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "mapping": self.mapping}

    def post(self, request, *args, **kwargs):
        name = str(self.mapping)
        self.mapping._change_reason = "DfE mapping removed in the service"
        self.mapping.delete()
        messages.success(request, f"Removed the mapping {name}. Figures already imported are kept.")
        return HttpResponseRedirect(reverse("dfe_mappings"))


class NeighbourModelForm(forms.ModelForm):
    applies_from = DayField(
        label="Applies from",
        help_text="The date the model came into force, for example 01/05/2025 or 2025-05-01",
        error_messages={
            "invalid": "Enter the date as 01/05/2025 or 2025-05-01",
            "required": "Enter the date",
        },
    )

    class Meta:
        model = NeighbourModel
        fields = ["name", "applies_from"]
        error_messages = {
            "name": {"unique": "Another model already has this name"},
            "applies_from": {"unique": "Another model already applies from this date"},
        }


class NeighbourModelUpdateView(InvalidIsBadRequest, PermissionRequiredMixin, FormView):
    permission_required = "kpis.change_neighbourmodel"
    form_class = NeighbourModelForm
    template_name = "records/form.html"

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.model_row = get_object_or_404(NeighbourModel, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.model_row}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=f"Change the neighbour model “{self.model_row.name}”",
            back_url=reverse("comparators"),
            intro=f"Imported from {self.model_row.source}. "
            "The SN averages are worked out again when you save: "
            f"{model_rule_in_words()}.",
        )
        return context

    def form_valid(self, form):
        with transaction.atomic():
            form.save()
            result = refresh_dfe_comparators(
                change_reason=f"Neighbour model {form.instance.pk} changed in the service",
                user=self.request.user,
            )
        messages.success(
            self.request, f"Saved {form.instance.name}. SN, England and regional comparators: {result}."
        )
        return HttpResponseRedirect(reverse("comparators"))
