"""The data-quality checks page: every check, its result, and the figures and sources behind it."""

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.utils import timezone
from django.views.generic import TemplateView

from sct_monitor.checks import run_checks


class ChecksView(PermissionRequiredMixin, TemplateView):
    # Every role may read it: the board should see where the figures disagree.
    permission_required = "kpis.view_indicator"
    template_name = "checks.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        results = run_checks(timezone.localdate())
        context.update(
            results=results,
            failed=[r for r in results if r.failures],
            problem_count=sum(len(r.failures) for r in results),
        )
        return context
