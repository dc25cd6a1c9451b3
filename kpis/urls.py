from django.urls import path

from kpis import views

app_name = "kpis"

urlpatterns = [
    path("", views.ScorecardView.as_view(), name="indicator_list"),
    path("<str:code>/", views.IndicatorDetailView.as_view(), name="indicator_detail"),
]
