from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from community.events import publish_on_commit

from .models import LocalAuthority, Region, User

# Fields that change what a member may read or whether they may use the network at all.
ACCESS_FIELDS = {"role", "is_verified", "is_active", "suspended_until", "age_band", "is_staff"}


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "email", "display_name", "role", "age_band", "is_verified"]
    list_filter = ["role", "age_band", "is_verified", "home_region"]
    search_fields = ["username", "email", "display_name"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (
            "Profile",
            {
                "fields": [
                    "display_name",
                    "role",
                    "age_band",
                    "organisation",
                    "home_region",
                    "local_authority",
                    "is_verified",
                ]
            },
        ),
    ]
    add_fieldsets = [
        (None, {"fields": ["email", "username", "display_name", "password1", "password2"]})
    ]

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if change and ACCESS_FIELDS & set(form.changed_data):
            # The member's open sockets re-read their role and marks, at once.
            publish_on_commit({"type": "access.changed", "user_id": obj.pk})


admin.site.register(Region)
admin.site.register(LocalAuthority)
