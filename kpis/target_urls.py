from django.urls import path

from kpis import target_views

app_name = "targets"

urlpatterns = [
    path("", target_views.target_index, name="index"),
    path("<str:year>/", target_views.target_year, name="year"),
    path("<str:year>/edit/", target_views.target_year_edit, name="edit"),
]
