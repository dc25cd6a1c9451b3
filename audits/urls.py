from django.urls import path

from audits import views

app_name = "audits"

urlpatterns = [
    path("returns/", views.AuditReturnListView.as_view(), name="audit_list"),
    path("complaints/", views.ComplaintsListView.as_view(), name="complaints"),
    path("inspections/", views.InspectionListView.as_view(), name="inspections"),
]
