from django.urls import path

from kpis import plan_views

app_name = "improvement_plan"

urlpatterns = [
    path("", plan_views.PlanListView.as_view(), name="list"),
    path("<int:pk>/", plan_views.PlanDetailView.as_view(), name="detail"),
    path("<int:pk>/reviews/new/", plan_views.ReviewNoteCreateView.as_view(), name="review_create"),
]
