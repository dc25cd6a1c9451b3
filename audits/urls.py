from django.urls import path

from audits import views

app_name = "audits"

urlpatterns = [
    path("", views.AssuranceIndexView.as_view(), name="index"),
    path("returns/", views.AuditOverviewView.as_view(), name="audit_list"),
    path("returns/new/", views.audit_create, name="audit_create"),
    path("returns/<int:pk>/edit/", views.audit_update, name="audit_update"),
    path("findings/new/", views.finding_create, name="finding_create"),
    path("findings/<int:pk>/edit/", views.finding_update, name="finding_update"),
    path("complaints/", views.ComplaintsView.as_view(), name="complaints"),
    path("complaints/new/", views.complaints_create, name="complaints_create"),
    path("complaints/<int:pk>/edit/", views.complaints_update, name="complaints_update"),
    path("complaints/targets/new/", views.complaints_target_create, name="complaints_target_create"),
    path(
        "complaints/targets/<int:pk>/edit/", views.complaints_target_update, name="complaints_target_update"
    ),
    path("complaints/areas/new/", views.split_create, name="split_create"),
    path("complaints/areas/<int:pk>/edit/", views.split_update, name="split_update"),
    path("complaints/themes/new/", views.note_create, name="note_create"),
    path("complaints/themes/<int:pk>/edit/", views.note_update, name="note_update"),
    path("inspections/", views.InspectionListView.as_view(), name="inspections"),
    path("inspections/new/", views.inspection_create, name="inspection_create"),
    path("inspections/<int:pk>/", views.InspectionDetailView.as_view(), name="inspection"),
    path("inspections/<int:pk>/edit/", views.inspection_update, name="inspection_update"),
    path("inspections/items/new/", views.item_create, name="item_create"),
    path("inspections/items/<int:pk>/edit/", views.item_update, name="item_update"),
    path("plans/", views.PlanListView.as_view(), name="plans"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("plans/<int:pk>/", views.PlanDetailView.as_view(), name="plan"),
    path("plans/<int:pk>/edit/", views.plan_update, name="plan_update"),
    path("plans/actions/new/", views.action_create, name="action_create"),
    path("plans/actions/<int:pk>/edit/", views.action_update, name="action_update"),
    path("plans/actions/<int:pk>/progress/", views.ActionUpdateCreateView.as_view(), name="action_progress"),
    path("risks/", views.RiskListView.as_view(), name="risks"),
    path("risks/new/", views.risk_create, name="risk_create"),
    path("risks/<int:pk>/edit/", views.risk_update, name="risk_update"),
    path("surveys/", views.SurveyListView.as_view(), name="surveys"),
    path("surveys/new/", views.survey_create, name="survey_create"),
    path("surveys/<int:pk>/edit/", views.survey_update, name="survey_update"),
]
