"""Forms in the service for the assurance datasets: declarative create and edit views.

Administrators add and correct audits, complaints, inspection items, plans, risks, surveys and
budget lines here rather than in /admin/. Each save is kept in the record's history with who and
when (the request's user) and what page it came from.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.shortcuts import get_object_or_404
from django.views.generic import CreateView, UpdateView

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d %m %Y", "%d %B %Y", "%d %b %Y"]


class DayField(forms.DateField):
    """A date typed as people write it: 31/03/2023, 31 March 2023 or 2023-03-31."""

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", DATE_FORMATS)
        kwargs.setdefault("help_text", "For example, 31/03/2023")
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return f"{value:%d/%m/%Y}" if hasattr(value, "year") else value


class MonthField(forms.DateField):
    """A month typed as 2022-06, 06/2022 or June 2022; stored as its first day."""

    def prepare_value(self, value):
        return f"{value:%Y-%m}" if hasattr(value, "year") else value

    def to_python(self, value):
        from kpis.months import parse_month

        if value in self.empty_values:
            return None
        if hasattr(value, "year"):
            return value.replace(day=1)
        try:
            return parse_month(str(value))
        except ValueError:
            raise forms.ValidationError("Enter a month such as 2022-06 or June 2022") from None


def with_day_fields(form_class: type[forms.ModelForm]) -> type[forms.ModelForm]:
    """Swap a model form's date fields for ones that read dates as people write them."""
    for name, field in list(form_class.base_fields.items()):
        if isinstance(field, forms.DateField) and not isinstance(field, MonthField | DayField):
            form_class.base_fields[name] = DayField(required=field.required, label=field.label)
    return form_class


class InvalidIsBadRequest:
    """A form view that answers 400 when its form is refused, so tests and tools can tell."""

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class RecordFormMixin(InvalidIsBadRequest, PermissionRequiredMixin):
    template_name = "records/form.html"
    title = ""
    back_url = ""
    intro = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(title=self.title, back_url=self.back_url, intro=self.intro)
        return context

    def form_valid(self, form):
        form.instance._change_reason = f"{self.title} (in the service)"[:100]
        response = super().form_valid(form)
        messages.success(self.request, f"Saved: {form.instance}.")
        return response

    def get_success_url(self) -> str:
        return self.back_url


class RecordCreateView(RecordFormMixin, CreateView):
    def get_initial(self):
        """A link may start the form filled in (``?plan=3`` from a plan's page); only the form's own
        fields are read, and the form still validates what it is given."""
        fields = self.get_form_class().base_fields
        return {**super().get_initial(), **{k: v for k, v in self.request.GET.items() if k in fields}}


class RecordUpdateView(RecordFormMixin, UpdateView):
    pass


class DatedNoteCreateView(RecordCreateView):
    """A dated note on a parent record (progress on an action, a review of a plan), kept with the
    person recording it. Subclasses name the parent and say where to go back to."""

    parent_queryset = None
    parent_field = ""  # the note's foreign key to its parent

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()  # before saying whether the parent exists
        self.parent = get_object_or_404(self.parent_queryset, pk=kwargs["pk"])
        self.back_url = self.parent_url(self.parent)
        self.intro = self.describe(self.parent)
        return super().dispatch(request, *args, **kwargs)

    def parent_url(self, parent) -> str:
        raise NotImplementedError

    def describe(self, parent) -> str:
        return str(parent)

    def form_valid(self, form):
        setattr(form.instance, self.parent_field, self.parent)
        form.instance.by = self.request.user
        return super().form_valid(form)
