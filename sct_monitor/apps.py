from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_migrate


def install_data_version_triggers(sender, using="default", **kwargs) -> None:
    from sct_monitor.data_version import install_triggers

    install_triggers(using)


def refresh_roles(sender, **kwargs) -> None:
    from sct_monitor.roles import ensure_roles

    ensure_roles()


class SctMonitorConfig(AppConfig):
    name = "sct_monitor"
    verbose_name = "SCT Monitor"

    def ready(self) -> None:
        # This app is listed last, so by its post_migrate every app's permissions exist.
        post_migrate.connect(refresh_roles, sender=self, dispatch_uid="sct_monitor_refresh_roles")
        # After every migrate (and every test flush): tables added since are watched too.
        post_migrate.connect(
            install_data_version_triggers, sender=self, dispatch_uid="sct_monitor_data_version_triggers"
        )
        from django.contrib.auth import get_user_model

        from sct_monitor import signin  # noqa: F401  (connects the sign-in time receiver)
        from sct_monitor.roles import staff_follows_role

        m2m_changed.connect(
            staff_follows_role,
            sender=get_user_model().groups.through,
            dispatch_uid="sct_monitor_staff_follows_role",
        )
