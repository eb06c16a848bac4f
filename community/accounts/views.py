from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from . import actions
from .forms import ProfileForm


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = ProfileForm(request.POST, instance=request.user)
        if form.is_valid():
            actions.update_profile(user=request.user, changes=form.cleaned_data)
            messages.success(request, _("Your profile was saved."))
            return redirect("accounts:preferences")
        status = 400
    else:
        form = ProfileForm(instance=request.user)
        status = 200
    return render(request, "accounts/preferences.html", {"form": form}, status=status)


@login_required
def avatar(request: HttpRequest) -> HttpResponse:
    """Choose a photo or go back to initials; members under 18 are told why they cannot."""
    from django.core.exceptions import PermissionDenied, ValidationError

    from .forms import AvatarForm

    error_status = 200
    form = AvatarForm()
    if request.method == "POST":
        if request.POST.get("remove"):
            actions.remove_avatar(user=request.user)
            messages.success(request, _("Your picture now shows your initials."))
            return redirect("accounts:avatar")
        form = AvatarForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                actions.set_avatar(user=request.user, upload=form.cleaned_data["photo"])
            except ValidationError as exc:
                for message in exc.message_dict.get("photo", exc.messages):
                    form.add_error("photo", message)
            except PermissionDenied as exc:
                form.add_error("photo", str(exc))
            else:
                messages.success(request, _("Your photo was saved."))
                return redirect("accounts:avatar")
        error_status = 400
    return render(request, "accounts/avatar.html", {"form": form}, status=error_status)


def avatar_photo(request: HttpRequest, user_id: int, name: str) -> HttpResponse:
    """An adult's photo, to whoever may see their profile; never a child's."""
    from django.http import FileResponse, Http404

    from .avatars import shows_photo
    from .models import User
    from .permissions import can_view_profile

    member = User.objects.filter(pk=user_id).first()
    if (
        member is None
        or not shows_photo(member)
        or member.avatar.name.rsplit("/", 1)[-1] != name
        or not can_view_profile(request.user, member)
    ):
        raise Http404("No such picture")
    response = FileResponse(member.avatar.open("rb"), content_type="image/jpeg")
    # The name changes with every upload, so a browser may keep each one.
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
