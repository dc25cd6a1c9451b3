from django.urls import path

from kpis import views

urlpatterns = [
    path("", views.ReportedFigureListView.as_view(), name="reported_figures"),
]
