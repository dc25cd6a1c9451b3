from django.urls import path

from finance import views

app_name = "finance"

urlpatterns = [
    path("", views.FinanceSummaryView.as_view(), name="summary"),
    path("lines/new/", views.line_create, name="line_create"),
    path("lines/<int:pk>/edit/", views.line_update, name="line_update"),
]
