"""Comparators: where they come from, the DfE mappings and the neighbour models."""

from django.urls import path

from kpis import dfe_views, views

urlpatterns = [
    path("", views.ComparatorSourcesView.as_view(), name="comparators"),
    path("mappings/", dfe_views.MappingListView.as_view(), name="dfe_mappings"),
    path("mappings/new/", dfe_views.MappingCreateView.as_view(), name="dfe_mapping_new"),
    path("mappings/<int:pk>/", dfe_views.MappingUpdateView.as_view(), name="dfe_mapping_edit"),
    path("mappings/<int:pk>/delete/", dfe_views.MappingDeleteView.as_view(), name="dfe_mapping_delete"),
    path("models/<int:pk>/", dfe_views.NeighbourModelUpdateView.as_view(), name="neighbour_model_edit"),
]
