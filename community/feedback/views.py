"""The "Tell us" page for families, and the staff's feedback inbox."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from community.accounts.models import Region
from community.forum import permissions as forum_permissions
from community.forum.models import Topic

from . import actions, selectors
from .forms import DiscussionForm, ReviewForm, TellUsForm
from .models import FeedbackResponse


def _errors(form, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for field, errors in exc.error_dict.items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)


def tell_us(request: HttpRequest) -> HttpResponse:
    form = TellUsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["website"]:
            # A robot filled the honeypot: answer as if it worked, keep nothing.
            return redirect("feedback:thanks")
        try:
            actions.submit_feedback(
                author=request.user, who=data["who"], need=data["need"], worked=data["worked"],
                not_worked=data["not_worked"], region=data["region"],
                local_authority=data["local_authority"], topic=data["topic"],
                credit_consent=data["credit_consent"], credit_name=data["credit_name"],
                client_key=request.META.get("REMOTE_ADDR", ""),
            )  # fmt: skip
        except ValidationError as exc:
            _errors(form, exc)
        else:
            return redirect("feedback:thanks")
    status = 400 if request.method == "POST" else 200
    return render(request, "feedback/tell_us.html", {"form": form}, status=status)


def thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "feedback/thanks.html")


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in FeedbackResponse.Status.values else ""
    topic = Topic.objects.filter(slug=request.GET.get("topic") or "").first()
    region = Region.objects.filter(slug=request.GET.get("region") or "").first()
    responses = selectors.inbox(viewer=request.user, status=status, topic=topic, region=region)
    return render(
        request,
        "feedback/inbox.html",
        {
            "responses": responses, "statuses": FeedbackResponse.Status.choices,
            "status": status, "topics": Topic.objects.all(), "topic": topic,
            "regions": Region.objects.all(), "region": region,
        },
    )  # fmt: skip


@login_required
def response_detail(request: HttpRequest, response_id: int) -> HttpResponse:
    response = selectors.get_response(viewer=request.user, response_id=response_id)
    form = ReviewForm(
        request.POST or None,
        initial={
            "status": FeedbackResponse.Status.REVIEWED
            if response.status == FeedbackResponse.Status.NEW else response.status,
            "practice_topics": list(response.practice_topics.all()),
        },
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        # Only staff change a response; a safeguarding lead who is not staff reads it.
        actions.review_feedback(
            actor=request.user, response=response, status=form.cleaned_data["status"],
            practice_topics=form.cleaned_data["practice_topics"],
        )  # fmt: skip
        messages.success(request, _("Saved."))
        return redirect("feedback:inbox")
    return render(request, "feedback/response.html", {"response": response, "form": form})


@login_required
def start_discussion(request: HttpRequest) -> HttpResponse:
    ids = [int(i) for i in request.POST.getlist("responses") + request.GET.getlist("responses")
           if str(i).isdigit()]  # fmt: skip
    responses = selectors.usable_responses(viewer=request.user, ids=ids)
    spaces = forum_permissions.startable_spaces(request.user)
    form = DiscussionForm(request.POST if "title" in request.POST else None, spaces=spaces)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            thread = actions.start_discussion_from_feedback(
                actor=request.user, responses=responses, space=data["space"],
                topic=data["topic"], title=data["title"], intro=data["intro"],
            )  # fmt: skip
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("The discussion has started."))
            return redirect(thread.get_absolute_url())
    return render(
        request,
        "feedback/start_discussion.html",
        {"form": form, "responses": responses, "preview": actions.discussion_source("", responses)},
        status=400 if form.is_bound else 200,
    )


@login_required
def add_to_resource(request: HttpRequest) -> HttpResponse:
    from community.library import permissions as library_permissions

    ids = [int(i) for i in request.POST.getlist("responses") + request.GET.getlist("responses")
           if str(i).isdigit()]  # fmt: skip
    responses = selectors.usable_responses(viewer=request.user, ids=ids)
    resources = [
        r
        for r in library_permissions.visible_resources(request.user).order_by("title")[:500]
        if library_permissions.can_edit_resource(request.user, r)
    ]
    error = ""
    if request.method == "POST" and request.POST.get("resource"):
        resource = next((r for r in resources if str(r.pk) == request.POST["resource"]), None)
        if resource is None:
            error = _("Choose one of the resources.")
        else:
            try:
                actions.add_to_resource(actor=request.user, responses=responses, resource=resource)
            except ValidationError as exc:
                error = " ".join(exc.messages)
            else:
                messages.success(request, _("Added to “What families said”."))
                return redirect(resource.get_absolute_url())
    return render(
        request,
        "feedback/add_to_resource.html",
        {"responses": responses, "resources": resources, "error": error},
        status=400 if error else 200,
    )
