from django.urls import path

from kpis import return_views

app_name = "returns"

urlpatterns = [
    path("", return_views.return_index, name="index"),
    path("go/", return_views.return_go, name="go"),
    path("<str:month>/", return_views.return_form, name="form"),
    path("<str:month>/publish/", return_views.return_publish, name="publish"),
    path("<str:month>/reopen/", return_views.return_reopen, name="reopen"),
]
