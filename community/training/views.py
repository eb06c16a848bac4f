"""HTTP for training and events: parse, call one action or selector, redirect or render."""

from __future__ import annotations

import csv
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from community.accounts.models import Region
from community.forum.models import Topic
from community.paging import page_number
from community.siteaddress import absolute

from . import actions, ical, permissions, selectors
from .forms import CancelEventForm, EventForm, FeedbackForm, MaterialForm, MessageForm, ProposalForm
from .models import LONDON, Event, FeedToken, Material, Proposal, Registration


def _staff_only(request: HttpRequest) -> None:
    if not permissions.is_event_staff(request.user):
        raise PermissionDenied(_("Only centre staff can manage events."))


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
    else:
        for text in exc.messages:
            form.add_error(None, text)


def _feed_token(request: HttpRequest) -> str | None:
    if not request.user.is_authenticated:
        return None
    return actions.feed_token_for(user=request.user).token


def upcoming(request: HttpRequest) -> HttpResponse:
    region = topic = None
    national = request.GET.get("region") == "national"
    if request.GET.get("region") and not national:
        region = Region.objects.filter(slug=request.GET["region"]).first()
        if region is None:
            return _bad_filter(request, _("There is no such region."))
    if request.GET.get("topic"):
        topic = Topic.objects.filter(slug=request.GET["topic"]).first()
        if topic is None:
            return _bad_filter(request, _("There is no such topic."))
    events = selectors.upcoming_events(
        viewer=request.user, region=region, topic=topic, national=national
    )
    now = timezone.now().astimezone(LONDON)
    return render(
        request,
        "training/upcoming.html",
        {
            "title": _("Upcoming events"),
            "events": events,
            "regions": Region.objects.all(),
            "topics": Topic.objects.all(),
            "selected_region": region,
            "selected_topic": topic,
            "national": national,
            "feed_token": _feed_token(request),
            "this_month": now,
        },
    )


def _bad_filter(request: HttpRequest, reason: str) -> HttpResponse:
    return render(
        request,
        "training/refused.html",
        {"title": _("Check the filter"), "reason": reason},
        status=400,
    )


def past(request: HttpRequest) -> HttpResponse:
    events, has_next = selectors.past_events(viewer=request.user, page=page_number(request))
    return render(
        request,
        "training/past.html",
        {
            "title": _("Past events"),
            "events": events,
            "has_next": has_next,
            "page": page_number(request),
        },
    )


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    token = actions.feed_token_for(user=request.user)
    feed_url = absolute(reverse("training:my_feed", args=[token.token]))
    return render(
        request,
        "training/mine.html",
        {
            "title": _("My events"),
            "events": selectors.my_events(viewer=request.user),
            "feed_url": feed_url,
        },
    )


@login_required
@require_POST
def reset_feed(request: HttpRequest) -> HttpResponse:
    actions.reset_feed_token(user=request.user)
    messages.success(
        request, _("Your private calendar address has changed. Update your calendar app.")
    )
    return redirect("training:mine")


WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def calendar_now(request: HttpRequest) -> HttpResponse:
    today = timezone.now().astimezone(LONDON)
    return redirect("training:month", today.year, today.month)


def month(request: HttpRequest, year: int, month: int) -> HttpResponse:
    result = selectors.month_calendar(viewer=request.user, year=year, month=month)
    return render(
        request,
        "training/month.html",
        {
            "title": date(year, month, 1).strftime("Events in %B %Y"),
            "month": result,
            "weekdays": WEEKDAYS,
            "today": timezone.now().astimezone(LONDON).date(),
        },
    )


def event(request: HttpRequest, event_id: int) -> HttpResponse:
    page = selectors.event_page(viewer=request.user, event_id=event_id)
    ev = page.event
    user = request.user
    refusal = permissions.registration_refusal(user, ev) if user.is_authenticated else None
    return render(
        request,
        "training/event.html",
        {
            "title": ev.title,
            "event": ev,
            "page": page,
            "registration": page.registration,
            "refusal": refusal,
            "can_register": user.is_authenticated and refusal is None,
            "show_link": permissions.can_see_joining_link(user, ev, page.registration),
            "can_feedback": permissions.can_give_feedback(user, ev, page.registration),
            "is_staff": permissions.is_event_staff(user),
        },
    )


def event_ics(request: HttpRequest, event_id: int) -> HttpResponse:
    page = selectors.event_page(viewer=request.user, event_id=event_id)
    links = (
        {page.event.pk}
        if permissions.can_see_joining_link(request.user, page.event, page.registration)
        else set()
    )
    body = ical.calendar_bytes(
        [page.event], name=page.event.title, method="PUBLISH", joining_links=links
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="event-{page.event.pk}.ics"'
    return response


def _event_for_action(request: HttpRequest, event_id: int) -> Event:
    return selectors.get_event(viewer=request.user, event_id=event_id)


@login_required
@require_POST
def register(request: HttpRequest, event_id: int) -> HttpResponse:
    ev = _event_for_action(request, event_id)
    try:
        registration = actions.register_for_event(user=request.user, event=ev)
    except PermissionDenied as exc:
        return _refused(request, ev, str(exc), status=403)
    if registration.status == Registration.Status.CONFIRMED:
        messages.success(
            request, _("You have a place. We will remind you a day and an hour before.")
        )
    else:
        messages.info(
            request,
            _(
                "The event is full, so you are on the waitlist. We will tell you if a place frees up."
            ),
        )
    return redirect(ev.get_absolute_url())


@login_required
@require_POST
def unregister(request: HttpRequest, event_id: int) -> HttpResponse:
    ev = _event_for_action(request, event_id)
    try:
        actions.cancel_registration(user=request.user, event=ev)
    except ValidationError as exc:
        return _refused(request, ev, " ".join(exc.messages), status=400)
    messages.success(request, _("Your registration is cancelled."))
    return redirect(ev.get_absolute_url())


def _refused(request: HttpRequest, ev: Event, reason: str, *, status: int) -> HttpResponse:
    return render(
        request,
        "training/refused.html",
        {"title": _("You cannot do that"), "event": ev, "reason": reason},
        status=status,
    )


@login_required
def feedback(request: HttpRequest, event_id: int) -> HttpResponse:
    page = selectors.event_page(viewer=request.user, event_id=event_id)
    ev = page.event
    if not permissions.can_give_feedback(request.user, ev, page.registration):
        raise PermissionDenied(_("Feedback is for people who attended, once the event is over."))
    status = 200
    if request.method == "POST":
        form = FeedbackForm(request.POST)
        if form.is_valid():
            try:
                actions.submit_feedback(user=request.user, event=ev, **form.cleaned_data)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("Thank you for your feedback."))
                return redirect(ev.get_absolute_url())
        status = 400
    else:
        form = FeedbackForm()
    return render(
        request,
        "training/feedback.html",
        {"title": _("Feedback"), "event": ev, "form": form},
        status=status,
    )


def _event_form_page(request, *, form, ev=None, proposal=None, status=200) -> HttpResponse:
    return render(
        request,
        "training/event_form.html",
        {
            "title": _("Change the event") if ev else _("Schedule an event"),
            "form": form,
            "event": ev,
            "proposal": proposal,
        },
        status=status,
    )


@login_required
def create(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    return _create_event(request, proposal=None)


def _create_event(request: HttpRequest, *, proposal: Proposal | None) -> HttpResponse:
    if request.method == "POST":
        form = EventForm(request.POST)
        if form.is_valid():
            try:
                ev = actions.create_event(
                    actor=request.user, details=form.details(), proposal=proposal
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("The event is scheduled."))
                return redirect(ev.get_absolute_url())
        return _event_form_page(request, form=form, proposal=proposal, status=400)
    initial = {"format": Event.Format.ONLINE, "capacity": 50}
    if proposal is not None:
        initial.update(
            title=proposal.title,
            description=proposal.description,
            topics=[proposal.topic] if proposal.topic_id else [],
        )
    return _event_form_page(request, form=EventForm(initial=initial), proposal=proposal)


@login_required
def edit(request: HttpRequest, event_id: int) -> HttpResponse:
    _staff_only(request)
    ev = _event_for_action(request, event_id)
    if request.method == "POST":
        form = EventForm(request.POST)
        if form.is_valid():
            try:
                actions.update_event(actor=request.user, event=ev, details=form.details())
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(
                    request,
                    _(
                        "The event is changed. Everyone registered has been told of any new time or place."
                    ),
                )
                return redirect(ev.get_absolute_url())
        return _event_form_page(request, form=form, ev=ev, status=400)
    return _event_form_page(request, form=EventForm(initial=EventForm.initial_for(ev)), ev=ev)


@login_required
def cancel(request: HttpRequest, event_id: int) -> HttpResponse:
    _staff_only(request)
    ev = _event_for_action(request, event_id)
    status = 200
    if request.method == "POST":
        form = CancelEventForm(request.POST)
        if form.is_valid():
            try:
                actions.cancel_event(
                    actor=request.user, event=ev, reason=form.cleaned_data["reason"]
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(
                    request, _("The event is cancelled and everyone registered has been told.")
                )
                return redirect(ev.get_absolute_url())
        status = 400
    else:
        form = CancelEventForm()
    return render(
        request,
        "training/cancel.html",
        {"title": _("Cancel the event"), "event": ev, "form": form},
        status=status,
    )


@login_required
def registrations(request: HttpRequest, event_id: int) -> HttpResponse:
    _staff_only(request)
    ev = _event_for_action(request, event_id)
    return render(
        request,
        "training/registrations.html",
        {
            "title": _("Registrations"),
            "event": ev,
            "registrations": selectors.registrations_for_staff(event=ev),
            "feedback": selectors.feedback_summary(event=ev),
        },
    )


@login_required
def registrations_csv(request: HttpRequest, event_id: int) -> HttpResponse:
    _staff_only(request)
    ev = _event_for_action(request, event_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="event-{ev.pk}-registrations.csv"'
    response.write("\ufeff")  # so spreadsheet programs read the file as UTF-8
    writer = csv.writer(response)
    writer.writerow(
        [
            "Name",
            "Email",
            "Role",
            "Organisation",
            "Local authority",
            "Region",
            "Status",
            "Registered (UK time)",
            "Attended",
        ]
    )
    for r in selectors.registrations_for_staff(event=ev):
        u = r.user
        writer.writerow(
            [
                _csv_safe(u.display_name),
                _csv_safe(u.email),
                u.get_role_display(),
                _csv_safe(u.organisation),
                u.local_authority.name if u.local_authority_id else "",
                u.home_region.name if u.home_region_id else "",
                r.get_status_display(),
                r.queued_at.astimezone(LONDON).strftime("%Y-%m-%d %H:%M"),
                {True: "Yes", False: "No", None: ""}[r.attended],
            ]
        )
    return response


def _csv_safe(value: str) -> str:
    # Members write their own names: never let a spreadsheet run one as a formula.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@login_required
@require_POST
def attendance(request: HttpRequest, event_id: int) -> HttpResponse:
    _staff_only(request)
    ev = _event_for_action(request, event_id)
    try:
        ids = [int(v) for v in request.POST.getlist("attended")]
    except ValueError:
        return _refused(request, ev, _("The attendance list was not understood."), status=400)
    count = actions.mark_attendance(actor=request.user, event=ev, attended_ids=ids)
    messages.success(request, _("Attendance saved: %(count)d present.") % {"count": count})
    return redirect("training:registrations", ev.pk)


@login_required
def message(request: HttpRequest, event_id: int) -> HttpResponse:
    _staff_only(request)
    ev = _event_for_action(request, event_id)
    status = 200
    if request.method == "POST":
        form = MessageForm(request.POST)
        if form.is_valid():
            try:
                count = actions.message_registrants(
                    actor=request.user, event=ev, **form.cleaned_data
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("Message sent to %(count)d people.") % {"count": count})
                return redirect("training:registrations", ev.pk)
        status = 400
    else:
        form = MessageForm()
    return render(
        request,
        "training/message.html",
        {"title": _("Message registrants"), "event": ev, "form": form},
        status=status,
    )


@login_required
def materials(request: HttpRequest, event_id: int) -> HttpResponse:
    _staff_only(request)
    ev = _event_for_action(request, event_id)
    status = 200
    if request.method == "POST":
        form = MaterialForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.add_material(
                    actor=request.user, event=ev, kind=data["kind"], title=data["title"],
                    url=data["url"], upload=data["file"], resource=data["resource"],
                )  # fmt: skip
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("Material added to the event."))
                return redirect(ev.get_absolute_url())
        status = 400
    else:
        form = MaterialForm()
    return render(
        request,
        "training/materials.html",
        {"title": _("Add slides or a recording"), "event": ev, "form": form},
        status=status,
    )


def material_file(request: HttpRequest, material_id: int, name: str) -> HttpResponse:
    item = Material.objects.select_related("event").filter(pk=material_id).exclude(file="").first()
    if item is None or not permissions.can_view_event(request.user, item.event):
        raise Http404("No such file")
    response = FileResponse(item.file.open("rb"), content_type=item.content_type)
    response["Content-Disposition"] = f'attachment; filename="{item.original_name}"'
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_POST
def discussion(request: HttpRequest, event_id: int) -> HttpResponse:
    _staff_only(request)
    ev = _event_for_action(request, event_id)
    thread = actions.start_discussion(actor=request.user, event=ev)
    messages.success(request, _("The discussion thread is open."))
    return redirect(thread.get_absolute_url())


def _feed_viewer(request: HttpRequest):
    """A feed is read by calendar apps without cookies: the member's private token, when
    given, stands for them; without it the feed shows what a visitor may see."""
    token = request.GET.get("token")
    if token:
        found = (
            FeedToken.objects.select_related("user")
            .filter(token=token, user__is_active=True)
            .first()
        )
        if found is None:
            raise Http404("No such feed")
        return found.user
    return AnonymousUser()


def _feed_response(events, name: str, filename: str) -> HttpResponse:
    response = HttpResponse(
        ical.calendar_bytes(events, name=name), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, max-age=900"
    return response


FEED_DAYS_BACK = 90


def _feed_events(viewer):
    since = timezone.now() - timezone.timedelta(days=FEED_DAYS_BACK)
    return (
        permissions.visible_events(viewer)
        .filter(ends_at__gte=since)
        .select_related("region")
        .prefetch_related("topics")
        .order_by("starts_at", "pk")
    )


def region_feed(request: HttpRequest, slug: str) -> HttpResponse:
    region = get_object_or_404(Region, slug=slug)
    events = _feed_events(_feed_viewer(request)).filter(region=region)
    return _feed_response(events, f"Family Hubs Network: {region.name} events", f"{slug}.ics")


def national_feed(request: HttpRequest) -> HttpResponse:
    events = _feed_events(_feed_viewer(request)).filter(region__isnull=True)
    return _feed_response(events, "Family Hubs Network: national events", "national.ics")


def topic_feed(request: HttpRequest, slug: str) -> HttpResponse:
    topic = get_object_or_404(Topic, slug=slug)
    events = _feed_events(_feed_viewer(request)).filter(topics=topic)
    return _feed_response(events, f"Family Hubs Network: {topic.name} events", f"{slug}.ics")


def my_feed(request: HttpRequest, token: str) -> HttpResponse:
    found = (
        FeedToken.objects.select_related("user").filter(token=token, user__is_active=True).first()
    )
    if found is None:
        raise Http404("No such feed")
    user = found.user
    mine = dict(
        Registration.objects.filter(
            user=user, status__in=[Registration.Status.CONFIRMED, Registration.Status.WAITLISTED]
        ).values_list("event_id", "status")
    )
    events = _feed_events(user).filter(pk__in=list(mine))
    links = {pk for pk, status in mine.items() if status == Registration.Status.CONFIRMED}
    response = HttpResponse(
        ical.calendar_bytes(events, name="Family Hubs Network: my events", joining_links=links),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = 'inline; filename="my-events.ics"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@login_required
def proposals(request: HttpRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = ProposalForm(request.POST)
        if form.is_valid():
            try:
                actions.propose_topic(user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(
                    request, _("Thank you. Your proposal is listed and your support counted.")
                )
                return redirect("training:proposals")
        status = 400
    else:
        form = ProposalForm()
    items, supported = selectors.proposals_page(viewer=request.user)
    return render(
        request,
        "training/proposals.html",
        {
            "title": _("What training would help your hub?"),
            "proposals": items,
            "supported": supported,
            "form": form,
            "is_staff": permissions.is_event_staff(request.user),
        },
        status=status,
    )


def _proposal(request: HttpRequest, proposal_id: int) -> Proposal:
    proposal = permissions.visible_proposals(request.user).filter(pk=proposal_id).first()
    if proposal is None:
        raise Http404("No such proposal")
    return proposal


@login_required
@require_POST
def support(request: HttpRequest, proposal_id: int) -> HttpResponse:
    proposal = _proposal(request, proposal_id)
    actions.support_proposal(user=request.user, proposal=proposal)
    messages.success(request, _("Your support is counted."))
    return redirect(proposal.get_absolute_url())


@login_required
@require_POST
def withdraw(request: HttpRequest, proposal_id: int) -> HttpResponse:
    proposal = _proposal(request, proposal_id)
    actions.withdraw_support(user=request.user, proposal=proposal)
    messages.success(request, _("Your support is withdrawn."))
    return redirect(proposal.get_absolute_url())


@login_required
def demand(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    return render(
        request,
        "training/demand.html",
        {
            "title": _("Demand for training"),
            "ranking": selectors.demand_ranking(viewer=request.user),
        },
    )


@login_required
def schedule(request: HttpRequest, proposal_id: int) -> HttpResponse:
    _staff_only(request)
    proposal = _proposal(request, proposal_id)
    if proposal.status != Proposal.Status.OPEN:
        raise PermissionDenied(_("That proposal has already been scheduled or closed."))
    return _create_event(request, proposal=proposal)
