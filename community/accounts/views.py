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
