"""Imports for administrators: upload, preview everything the file would do, then confirm."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from sct_monitor.importing.background import CannotStart, hand_over, runs_in_background
from sct_monitor.importing.engine import AlreadyImported, apply_import, plan_import, record
from sct_monitor.importing.registry import KINDS
from sct_monitor.models import ImportLog, ImportOutcome
from sct_monitor.record_views import DayField

IMPORT = "sct_monitor.add_importlog"
LOG_ROWS = 50


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label="What does the file hold?",
        choices=[(slug, kind.label) for slug, kind in KINDS.items()],
        widget=forms.RadioSelect,
        error_messages={"required": "Select what the file holds"},
    )
    file = forms.FileField(
        label="File (.csv or .xlsx)", error_messages={"required": "Select a file to import"}
    )
    override_published = forms.BooleanField(required=False, label="Change published months")
    override_older = forms.BooleanField(required=False, label="Replace figures from newer publications")
    applies_from = DayField(
        required=False,
        label="Applies from (neighbour models only)",
        help_text="The date the model came into force, for example 01/05/2025 or 2025-05-01. "
        "A model file does not say it.",
        error_messages={"invalid": "Enter the date as 01/05/2025 or 2025-05-01"},
    )
    model_name = forms.CharField(
        required=False, max_length=100, label="Model name (optional, neighbour models only)"
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("kind") == "sn-model"
            and not data.get("applies_from")
            and "applies_from" not in self.errors
        ):
            self.add_error(
                "applies_from", "Enter the date this neighbour model applies from, such as 2025-05-01"
            )
        return data

    def options(self) -> dict:
        """The choices the check and the import both need, kept with the upload."""
        data = self.cleaned_data
        options = {}
        if data["kind"] == "sn-model":
            options["applies_from"] = data["applies_from"].isoformat()
            if data.get("model_name", "").strip():
                options["model_name"] = data["model_name"].strip()
        if data["kind"] == "dfe-ees" and data.get("override_older"):
            options["override_older"] = True
        return options

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_BYTES:
            limit = settings.IMPORT_MAX_BYTES // (1024 * 1024)
            raise forms.ValidationError(f"The file must be smaller than {limit} MB")
        if not upload.name.lower().endswith((".csv", ".tsv", ".txt", ".xlsx")):
            raise forms.ValidationError("The file must be a .csv or .xlsx file")
        return upload


@permission_required(IMPORT, raise_exception=True)
@require_http_methods(["GET", "POST"])
def import_index(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        override = form.cleaned_data["override_published"]
        options = form.options()
        plan = plan_import(form.cleaned_data["kind"], upload.name, content, override, options=options)
        log = ImportLog(user=request.user, kind=plan.kind, file_name=upload.name[:255])
        log.sha256, log.size, log.override_published = plan.sha256, plan.size, override
        log.options = options
        if plan.ok:
            log.content = content
            record(log, plan, ImportOutcome.PREVIEWED)
        else:
            record(log, plan, ImportOutcome.REFUSED)
        return redirect("imports:detail", pk=log.pk)
    logs = ImportLog.objects.select_related("user").defer("content", "errors")[:LOG_ROWS]
    status = 400 if form.errors else 200
    return render(request, "imports/index.html", {"form": form, "logs": logs, "kinds": KINDS}, status=status)


@permission_required(IMPORT, raise_exception=True)
@require_http_methods(["GET"])
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    log = get_object_or_404(ImportLog.objects.select_related("user"), pk=pk)
    plan = None
    if log.outcome == ImportOutcome.PREVIEWED and log.content:
        plan = plan_import(
            log.kind, log.file_name, bytes(log.content), log.override_published, options=log.options
        )
    return render(request, "imports/detail.html", {"log": log, "plan": plan, "kind": KINDS.get(log.kind)})


@permission_required(IMPORT, raise_exception=True)
@require_http_methods(["GET"])
def import_status(request: HttpRequest, pk: int) -> JsonResponse:
    """What the import page asks while an import runs in its own process."""
    log = get_object_or_404(ImportLog.objects.only("outcome", "started_at"), pk=pk)
    running = log.outcome == ImportOutcome.RUNNING and not log.has_stopped
    return JsonResponse({"outcome": log.outcome, "running": running})  # never stored (headers.py)


@permission_required(IMPORT, raise_exception=True)
@require_POST
def import_apply(request: HttpRequest, pk: int) -> HttpResponse:
    log = get_object_or_404(ImportLog, pk=pk)
    if log.outcome != ImportOutcome.PREVIEWED or not log.content:
        return already_dealt_with(request, pk)
    if runs_in_background(log):
        return confirm_in_background(request, log)
    try:
        plan, log = apply_import(
            log.kind, log.file_name, bytes(log.content), request.user, log.override_published, log=log,
            options=log.options,
        )  # fmt: skip
    except AlreadyImported:  # a second confirmation that waited for the first
        return already_dealt_with(request, pk)
    if plan.ok:
        messages.success(request, f"Imported {log.file_name}: {plan.summary()}.")
    else:
        messages.error(
            request, "Nothing was imported: the data changed since the preview and the file now has errors."
        )
    return redirect("imports:detail", pk=pk)


def confirm_in_background(request: HttpRequest, log: ImportLog) -> HttpResponse:
    try:
        started = hand_over(log.pk, request.user.pk)
    except CannotStart:
        messages.error(request, "The import could not be started; nothing was imported. Try again.")
        return redirect("imports:detail", pk=log.pk)
    if not started:  # a second confirmation
        return already_dealt_with(request, log.pk)
    return redirect("imports:detail", pk=log.pk)


def already_dealt_with(request: HttpRequest, pk: int) -> HttpResponse:
    """A confirmation of an import no longer waiting for one: say what became of it."""
    outcome = ImportLog.objects.filter(pk=pk).values_list("outcome", flat=True).first()
    if outcome == ImportOutcome.IMPORTED:
        messages.info(request, "This file has already been imported: there is nothing more to do.")
    elif outcome == ImportOutcome.RUNNING:
        messages.info(
            request, "This import is already under way: this page shows its result when it has finished."
        )
    else:
        messages.error(
            request, "This import has already been dealt with. Upload the file again to import it."
        )
    return redirect("imports:detail", pk=pk)
