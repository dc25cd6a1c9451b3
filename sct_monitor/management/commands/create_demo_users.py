from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from sct_monitor.roles import ADMINISTRATOR, BOARD_MEMBER, PERFORMANCE_OFFICER, ensure_roles

# The passwords are published in the README: these accounts exist only for trying the
# service on a developer's machine, which is why the command refuses to run without DEBUG.
DEMO_USERS = (
    # username, password, role, first name, staff (may use the administration pages)
    ("board", "board-demo-pass", BOARD_MEMBER, "Board member", False),
    ("officer", "officer-demo-pass", PERFORMANCE_OFFICER, "Performance officer", False),
    ("admin", "admin-demo-pass", ADMINISTRATOR, "Administrator", True),
)


class Command(BaseCommand):
    help = "Create the demo users board, officer and admin (development only: needs DEBUG on)."

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "Refusing to create demo users with published passwords while DEBUG is off. "
                "Create real accounts with 'manage.py createsuperuser' or the administration pages."
            )
        groups = ensure_roles()
        User = get_user_model()
        for username, password, role, first_name, is_staff in DEMO_USERS:
            user, created = User.objects.get_or_create(username=username)
            user.first_name = first_name
            user.is_staff = is_staff
            user.is_superuser = False
            if not user.check_password(password):
                user.set_password(password)
            user.save()
            user.groups.set([groups[role]])
            self.stdout.write(f"{'Created' if created else 'Kept'} {username} ({role})")
