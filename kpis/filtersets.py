import django_filters

from kpis.models import Indicator


class ScorecardFilterSet(django_filters.FilterSet):
    service_area = django_filters.ChoiceFilter(label="Service area", empty_label="All service areas")

    class Meta:
        model = Indicator
        fields = ["service_area"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        areas = (
            Indicator.objects.filter(active=True)
            .exclude(service_area="")
            .order_by("service_area")
            .values_list("service_area", flat=True)
            .distinct()
        )
        self.filters["service_area"].extra["choices"] = [(area, area) for area in areas]
