from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from kpis.workforce_views import WorkforceView
from sct_monitor import signin, views
from sct_monitor.check_views import ChecksView

admin.site.site_header = "SCT Monitor administration"
admin.site.site_title = "SCT Monitor"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("help/statuses/", views.how_statuses_work, name="help_statuses"),
    # Sign-in and sign-out only: password resets go through an administrator, since the
    # service sends no email.
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Every signed-in user changes their own password here (resets still go through an administrator).
    path("account/password/", signin.PasswordChangeView.as_view(), name="password_change"),
    path("account/password/done/", signin.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("kpis/", include("kpis.urls")),
    path("reports/", include("sct_monitor.report_urls")),
    path("returns/", include("kpis.return_urls")),
    path("targets/", include("kpis.target_urls")),
    path("figures/", include("kpis.figures_urls")),
    path("comparators/", include("kpis.comparator_urls")),
    path("audits/", include("audits.urls")),
    path("improvement-plan/", include("kpis.plan_urls")),
    path("workforce/", WorkforceView.as_view(), name="workforce"),
    path("checks/", ChecksView.as_view(), name="checks"),
    path("finance/", include("finance.urls")),
    path("imports/", include("sct_monitor.import_urls")),
    path("admin/", admin.site.urls),
]
