from django.contrib import admin
from django.urls import include, path

from sct_monitor import views

admin.site.site_header = "SCT Monitor administration"
admin.site.site_title = "SCT Monitor"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("kpis/", include("kpis.urls")),
    path("figures/", include("kpis.figures_urls")),
    path("audits/", include("audits.urls")),
    path("finance/", include("finance.urls")),
    path("admin/", admin.site.urls),
]
