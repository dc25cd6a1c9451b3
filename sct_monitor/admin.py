"""User administration without a way to make superusers.

The superuser and staff flags are read-only here: a superuser is made on the command line
(``createsuperuser``), and staff access to these pages follows the Administrator role (see
``roles.staff_follows_role``), so an administrator cannot raise their own or anyone's powers
beyond the roles.
"""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin


class RoleBasedUserAdmin(UserAdmin):
    readonly_fields = ["is_superuser", "is_staff", "last_login", "date_joined"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name", "email")}),
        (
            "Role",
            {
                "fields": ("is_active", "groups", "is_staff", "is_superuser"),
                "description": "The role is the group. Administrators get the administration pages; "
                "superusers are made on the command line only.",
            },
        ),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )


User = get_user_model()
admin.site.unregister(User)
admin.site.register(User, RoleBasedUserAdmin)
