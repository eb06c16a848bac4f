"""HTTP for SupportLine: parse the form, call one action or selector, redirect or render.

A case anyone may not see is a 404 on every path, exactly as if it did not exist.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from community import ratelimits
from community.paging import page_number

from . import actions, permissions, selectors
from .calendar import consultation_invitation
from .forms import (
    AssignForm,
    BookForm,
    CloseForm,
    DeclineForm,
    MessageForm,
    NoteForm,
    QueueFilterForm,
    RequestForm,
    SlotForm,
    SurveyForm,
    ThemeForm,
    VisitorRequestForm,
)
from .models import AvailabilitySlot, ConsultationRequest

VISITOR_SESSION_KEY = "supportline_visitor_email"


def _case_or_404(request: HttpRequest, reference: str) -> ConsultationRequest:
    case = selectors.visible_case(viewer=request.user, reference=reference)
    if case is None:
        raise Http404("No such case")
    return case


def _staff_only(request: HttpRequest) -> None:
    if not permissions.is_supportline_staff(request.user):
        raise Http404("Not found")


def _not_for_young_people(request: HttpRequest) -> HttpResponse:
    return render(request, "supportline/not_for_young_people.html", status=403)


def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "supportline/index.html",
        {
            "may_ask": not request.user.is_authenticated
            or permissions.can_request_consultation(request.user),
            "is_staff": permissions.is_supportline_staff(request.user),
            "is_expert": permissions.is_expert(request.user),
        },
    )


def request_form(request: HttpRequest) -> HttpResponse:
    """The full form for members; the short one, with an account invitation, for visitors."""
    user = request.user
    if user.is_authenticated and not permissions.can_request_consultation(user):
        return _not_for_young_people(request)
    if user.is_authenticated:
        form_class = RequestForm
        initial = {
            "organisation": user.organisation,
            "region": user.home_region_id,
            "local_authority": user.local_authority_id,
        }
    else:
        form_class, initial = VisitorRequestForm, {}
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            topics = data.pop("topics")
            try:
                if user.is_authenticated:
                    case = actions.submit_request(requester=user, data=data, topics=topics)
                    return redirect("supportline:confirmation", case.reference)
                # Each visitor's request emails an invitation: limited per address.
                ratelimits.check(
                    "supportline-visitor",
                    ratelimits.address_key(request),
                    limit=settings.SUPPORTLINE_VISITOR_REQUESTS_PER_HOUR,
                    window=3600,
                    message=_("You have sent several requests in the last hour. Please wait %(wait)s and try again: your request is kept below."),
                )  # fmt: skip
                actions.invite_and_submit(
                    email=data.pop("email"),
                    display_name=data.pop("display_name"),
                    age_band=data.pop("age_band"),
                    data=data,
                    topics=topics,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                request.session[VISITOR_SESSION_KEY] = form.cleaned_data["email"]
                return redirect("supportline:visitor_sent")
        status = 400
    else:
        form = form_class(initial=initial)
        status = 200
    return render(
        request,
        "supportline/request.html",
        {"form": form, "visitor": not user.is_authenticated},
        status=status,
    )


def visitor_sent(request: HttpRequest) -> HttpResponse:
    email = request.session.get(VISITOR_SESSION_KEY)
    if not email:
        return redirect("supportline:request")
    return render(request, "supportline/visitor_sent.html", {"email": email})


def invitation(request: HttpRequest, key: str) -> HttpResponse:
    """Take up a visitor's invitation: confirm the address, sign in, then choose a password.

    The key is allauth's signed email-confirmation key; it only opens an address that is not
    yet verified, so the link works once. GET shows a button, so link scanners change nothing.
    """
    from allauth.account.models import EmailConfirmationHMAC

    confirmation = EmailConfirmationHMAC.from_key(key)
    user = confirmation.email_address.user if confirmation else None
    if user is None or user.has_usable_password() or not user.is_active:
        return render(request, "supportline/invitation_invalid.html", status=400)
    if request.method != "POST":
        return render(request, "supportline/invitation.html", {"invited": user})
    confirmation.confirm(request)
    login(request, user, backend="community.accounts.backends.MemberBackend")
    case = ConsultationRequest.objects.filter(requester=user).order_by("-created_at").first()
    target = case.get_absolute_url() if case else reverse("supportline:my_requests")
    messages.success(request, _("Your email is confirmed. Now choose a password."))
    return redirect(f"{reverse('account_set_password')}?{urlencode({'next': target})}")


@login_required
def confirmation(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case_or_404(request, reference)
    if case.requester_id != request.user.pk:
        raise Http404("No such request")
    return render(request, "supportline/confirmation.html", {"case": case})


@login_required
def my_requests(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "supportline/my_requests.html",
        {
            "cases": selectors.my_requests(viewer=request.user),
            "expert_cases": selectors.expert_cases(viewer=request.user)
            if permissions.is_expert(request.user)
            else [],
        },
    )


def _case_context(request, case, **forms) -> dict:
    page = selectors.case_page(viewer=request.user, case=case)
    user = request.user
    context = {
        "page": page,
        "case": case,
        "is_staff": permissions.is_supportline_staff(user),
        "can_reply": permissions.can_reply_to_case(user, case),
        "can_take": permissions.can_take(user, case),
        "can_triage": permissions.can_triage(user, case),
        "can_assign": permissions.can_assign(user, case),
        "can_decline": permissions.can_decline(user, case),
        "can_close": permissions.can_close(user, case),
        "can_book": permissions.can_book(user, case),
        "can_survey": permissions.can_answer_survey(user, case, answered=page.survey is not None),
        "can_download": permissions.can_download_invitation(user, case),
        "overdue": case.is_open and case.is_overdue(),
    }
    context["message_form"] = forms.get("message_form") or MessageForm()
    context["note_form"] = forms.get("note_form") or NoteForm()
    context["decline_form"] = forms.get("decline_form") or DeclineForm()
    context["close_form"] = forms.get("close_form") or CloseForm()
    context["assign_form"] = forms.get("assign_form") or AssignForm(experts=page.experts)
    context["book_form"] = forms.get("book_form") or BookForm(slots=page.free_slots)
    context["survey_form"] = forms.get("survey_form") or SurveyForm()
    context["failed"] = next(iter(forms.values()), None)
    return context


def _case_response(request, case, status=200, **forms) -> HttpResponse:
    response = render(
        request, "supportline/case.html", _case_context(request, case, **forms), status=status
    )
    response["X-Robots-Tag"] = "noindex"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def case(request: HttpRequest, reference: str) -> HttpResponse:
    return _case_response(request, _case_or_404(request, reference))


@login_required
def case_messages(request: HttpRequest, reference: str) -> HttpResponse:
    """The conversation alone, as an HTML fragment (for refreshing it in place)."""
    case = _case_or_404(request, reference)
    response = render(
        request,
        "supportline/_messages.html",
        {"messages_list": selectors.case_messages(case), "case": case},
    )
    response["X-Robots-Tag"] = "noindex"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def invitation_ics(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case_or_404(request, reference)
    if not permissions.can_download_invitation(request.user, case):
        raise Http404("No consultation booked")
    response = HttpResponse(
        consultation_invitation(case), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{case.reference}.ics"'
    response["Cache-Control"] = "private, no-store"
    return response


def _act(request, case, form_name: str, form, call, success: str) -> HttpResponse:
    """Run one action from a POSTed form on the case page; a refusal is a clear 4xx."""
    if not form.is_valid():
        return _case_response(request, case, status=400, **{form_name: form})
    try:
        call(form.cleaned_data)
    except PermissionDenied as exc:
        return _refused(request, case, exc)
    except ValidationError as exc:
        form.add_error(None, exc)
        return _case_response(request, case, status=400, **{form_name: form})
    messages.success(request, success)
    return redirect(case.get_absolute_url())


def _refused(request, case, exc: PermissionDenied) -> HttpResponse:
    messages.error(request, str(exc) or _("You cannot do that to this case."))
    return _case_response(request, case, status=403)


@require_POST
@login_required
def reply(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case_or_404(request, reference)
    return _act(
        request,
        case,
        "message_form",
        MessageForm(request.POST),
        lambda d: actions.post_message(case=case, author=request.user, source=d["source"]),
        _("Your message was sent."),
    )


@require_POST
@login_required
def take(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case_or_404(request, reference)
    return _act(
        request,
        case,
        "note_form",
        NoteForm(request.POST),
        lambda d: actions.take_case(case=case, actor=request.user),
        _("You now own this case."),
    )


@require_POST
@login_required
def triage(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case_or_404(request, reference)
    return _act(
        request,
        case,
        "note_form",
        NoteForm(request.POST),
        lambda d: actions.triage_case(case=case, actor=request.user, note=d["note"]),
        _("Triaged: the requester has been told."),
    )


@require_POST
@login_required
def assign(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case_or_404(request, reference)
    experts = selectors.experts_for(case)
    return _act(
        request,
        case,
        "assign_form",
        AssignForm(request.POST, experts=experts),
        lambda d: actions.assign_expert(case=case, actor=request.user, expert=d["expert"]),
        _("Expert assigned: the requester and the expert have been told."),
    )


@require_POST
@login_required
def decline(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case_or_404(request, reference)
    return _act(
        request,
        case,
        "decline_form",
        DeclineForm(request.POST),
        lambda d: actions.decline_case(case=case, actor=request.user, reason=d["reason"]),
        _("Declined: the requester has been told why."),
    )


@require_POST
@login_required
def close(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case_or_404(request, reference)
    return _act(
        request,
        case,
        "close_form",
        CloseForm(request.POST),
        lambda d: actions.close_case(case=case, actor=request.user, outcome=d["outcome"]),
        _("Case closed: the requester has been asked for feedback."),
    )


@require_POST
@login_required
def book(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case_or_404(request, reference)
    slots = selectors.free_slots(case) if permissions.can_book(request.user, case) else []
    return _act(
        request,
        case,
        "book_form",
        BookForm(request.POST, slots=slots),
        lambda d: actions.book_slot(case=case, actor=request.user, slot=d["slot"]),
        _("Consultation booked: calendar invitations are on their way."),
    )


@require_POST
@login_required
def survey(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case_or_404(request, reference)
    return _act(
        request,
        case,
        "survey_form",
        SurveyForm(request.POST),
        lambda d: actions.answer_survey(case=case, actor=request.user, **d),
        _("Thank you for your feedback."),
    )


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    form = QueueFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    status = 200 if form.is_valid() or not request.GET else 400
    cases, has_next = selectors.triage_queue(
        viewer=request.user, filters=filters, page=page_number(request)
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "supportline/queue.html",
        {
            "form": form,
            "cases": cases,
            "has_next": has_next,
            "page": page_number(request),
            "query": query.urlencode(),
        },
        status=status,
    )


def _report_dimension(request) -> str:
    by = request.GET.get("by", "region")
    if by not in selectors.REPORT_DIMENSIONS:
        raise ValidationError(_("Group the report by region, topic, stage or month."))
    return by


@login_required
def report(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    try:
        by = _report_dimension(request)
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=400, content_type="text/plain")
    rows = selectors.report(viewer=request.user, by=by)
    return render(
        request,
        "supportline/report.html",
        {"rows": rows, "by": by, "dimensions": selectors.REPORT_DIMENSIONS},
    )


@login_required
def report_csv(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    try:
        by = _report_dimension(request)
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=400, content_type="text/plain")
    body = selectors.report_csv(selectors.report(viewer=request.user, by=by), by=by)
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="supportline-by-{by}.csv"'
    return response


@login_required
def themes(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    if request.method == "POST":
        form = ThemeForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.create_theme(
                    actor=request.user,
                    title=data["title"],
                    summary=data["summary"],
                    topics=data["topics"],
                    stage=data["stage"],
                    case_count=data["case_count"],
                    suggested_use=data["suggested_use"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Theme saved."))
                return redirect("supportline:themes")
        status = 400
    else:
        form = ThemeForm()
        status = 200
    return render(
        request,
        "supportline/themes.html",
        {
            "form": form,
            "themes": selectors.themes(),
            "closed_count": selectors.closed_case_count(),
        },
        status=status,
    )


@login_required
def themes_csv(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    response = HttpResponse(
        selectors.themes_csv(selectors.themes()), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="supportline-themes.csv"'
    return response


@login_required
def availability(request: HttpRequest) -> HttpResponse:
    if not permissions.is_expert(request.user):
        raise Http404("Not found")
    if request.method == "POST":
        form = SlotForm(request.POST)
        if form.is_valid():
            starts = form.cleaned_data["starts_at"]
            try:
                actions.add_slot(
                    expert=request.user,
                    starts_at=starts,
                    ends_at=starts + timedelta(minutes=form.cleaned_data["minutes"]),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Time added."))
                return redirect("supportline:availability")
        status = 400
    else:
        form = SlotForm()
        status = 200
    return render(
        request,
        "supportline/availability.html",
        {"form": form, "slots": selectors.expert_slots(expert=request.user)},
        status=status,
    )


@require_POST
@login_required
def withdraw_slot(request: HttpRequest, slot_id: int) -> HttpResponse:
    slot = get_object_or_404(AvailabilitySlot, pk=slot_id, expert=request.user)
    try:
        actions.withdraw_slot(expert=request.user, slot=slot)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("supportline:availability")
    messages.success(request, _("Time withdrawn."))
    return redirect("supportline:availability")
