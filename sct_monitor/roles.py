"""The three roles, what each may do, and the navigation each is shown.

Roles are Django groups holding model permissions; views check permissions, never group
names, so an administrator can make a custom role from the same parts.
"""

from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission
from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse

BOARD_MEMBER = "Board member"
PERFORMANCE_OFFICER = "Performance officer"
ADMINISTRATOR = "Administrator"
ROLE_NAMES = (BOARD_MEMBER, PERFORMANCE_OFFICER, ADMINISTRATOR)

DATA_APPS = ("kpis", "audits", "finance")

READ_ONLY = [f"{app}.view_" for app in DATA_APPS]
OFFICER_EXTRA = [
    "kpis.add_monthlyvalue",
    "kpis.change_monthlyvalue",
    "kpis.submit_return",
]
ADMIN_APPS = (*DATA_APPS, "auth", "axes", "sct_monitor")


def _view_permissions() -> Q:
    query = Q()
    for app in DATA_APPS:
        query |= Q(content_type__app_label=app, codename__startswith="view_")
    return query


def _named(perms: list[str]) -> Q:
    query = Q(pk__in=[])
    for perm in perms:
        app, codename = perm.split(".")
        query |= Q(content_type__app_label=app, codename=codename)
    return query


def role_permissions(role: str) -> list[Permission]:
    """The permissions a role's group holds."""
    base = Permission.objects.filter(_view_permissions())
    if role == BOARD_MEMBER:
        query = base
    elif role == PERFORMANCE_OFFICER:
        query = base | Permission.objects.filter(_named(OFFICER_EXTRA))
    elif role == ADMINISTRATOR:
        query = Permission.objects.filter(content_type__app_label__in=ADMIN_APPS)
    else:
        raise ValueError(f"unknown role {role!r}")
    # Historical (change-history) models are read through their parents' views.
    return list(query.exclude(content_type__model__startswith="historical").distinct())


def ensure_roles() -> dict[str, Group]:
    """Create or refresh the three groups so they hold exactly their permissions."""
    groups = {}
    for role in ROLE_NAMES:
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set(role_permissions(role))
        groups[role] = group
    return groups


def role_of(user) -> str | None:
    """The most capable role the user belongs to, for display."""
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return ADMINISTRATOR
    names = group_names(user)
    for role in reversed(ROLE_NAMES):
        if role in names:
            return role
    return None


def group_names(user) -> frozenset[str]:
    """The user's groups, read once per request (the user object is the request's own), as
    Django keeps the user's permissions."""
    if not hasattr(user, "_group_names"):
        user._group_names = frozenset(user.groups.values_list("name", flat=True))
    return user._group_names


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    active: bool


_NAVIGATION = (
    # label, url name, permission needed, URL prefix that marks it as the current section
    ("Overview", "home", None, None),
    ("Scorecard", "kpis:indicator_list", "kpis.view_indicator", "/kpis/"),
    ("Reports", "reports:list", "kpis.view_indicator", "/reports/"),
    ("Monthly returns", "returns:index", "kpis.add_monthlyvalue", "/returns/"),
    ("Targets", "targets:index", "kpis.view_target", "/targets/"),
    ("Assurance", "audits:index", "audits.view_auditreturn", ("/audits/", "/improvement-plan/", "/figures/")),
    ("Finance", "finance:summary", "finance.view_budgetline", "/finance/"),
    ("Workforce", "workforce", "kpis.view_reportedfigure", "/workforce/"),
    ("Checks", "checks", "kpis.view_indicator", "/checks/"),
    ("Comparators", "comparators", "kpis.view_comparatorvalue", "/comparators/"),
    ("Imports", "imports:index", "sct_monitor.add_importlog", "/imports/"),
)


def navigation_for(request: HttpRequest) -> list[NavItem]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    items = []
    for label, url_name, permission, prefix in _NAVIGATION:
        if permission and not user.has_perm(permission):
            continue
        url = reverse(url_name)
        active = request.path == url if prefix is None else request.path.startswith(prefix)  # str or tuple
        items.append(NavItem(label, url, active))
    if user.is_staff:
        items.append(NavItem("Administration", reverse("admin:index"), request.path.startswith("/admin/")))
    return items


def staff_follows_role(sender, instance, action: str, reverse: bool, **kwargs) -> None:
    """After a user's groups change, they may use the administration pages only as an Administrator."""
    if action not in {"post_add", "post_remove", "post_clear"} or reverse:
        return
    is_staff = instance.is_superuser or instance.groups.filter(name=ADMINISTRATOR).exists()
    if instance.is_staff != is_staff:
        type(instance).objects.filter(pk=instance.pk).update(is_staff=is_staff)
        instance.is_staff = is_staff
