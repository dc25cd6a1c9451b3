from django.urls import path

from sct_monitor import report_views

app_name = "reports"

urlpatterns = [
    path("", report_views.report_list, name="list"),
    path("<str:key>/", report_views.report_detail, name="detail"),
    path("<str:key>/narrative/", report_views.report_narrative, name="narrative"),
]
