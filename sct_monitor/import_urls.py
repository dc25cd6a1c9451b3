from django.urls import path

from sct_monitor import import_views

app_name = "imports"

urlpatterns = [
    path("", import_views.import_index, name="index"),
    path("<int:pk>/", import_views.import_detail, name="detail"),
    path("<int:pk>/apply/", import_views.import_apply, name="apply"),
    path("<int:pk>/status/", import_views.import_status, name="status"),
]
