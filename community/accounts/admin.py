from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import LocalAuthority, Region, User


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


admin.site.register(Region)
admin.site.register(LocalAuthority)
