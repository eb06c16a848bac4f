from django.contrib import admin, messages

from .models import ApiKey


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["description", "key_prefix", "user", "scope", "created_at", "revoked_at"]
    readonly_fields = ["key_prefix", "created_by", "created_at", "last_used_at"]
    autocomplete_fields = ["user"]

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_staff

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            key = obj.set_new_key()
            obj.created_by = request.user
            messages.warning(
                request, f"The new API key is {key} — copy it now: it will not be shown again."
            )
        super().save_model(request, obj, form, change)
