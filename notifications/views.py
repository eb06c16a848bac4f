from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from community import pagecache
from community.forum import permissions
from community.forum.assembly import layout_assets
from community.forum.models import Space, Thread, Topic
from community.fragments import (
    Holes,
    assembled_page,
    keep_pieces,
    kept_pieces,
    page_reads,
    seconds_until_times_change,
    shared_page_key,
    time_bucket,
)
from community.paging import page_number

from . import actions, kinds, push, selectors
from .emails import preferences_for, read_unsubscribe_token
from .forms import LevelForm, PreferencesForm
from .models import Notification, Subscription

LIST_TEMPLATE = "notifications/list.html"
# How long an unused kept page lingers (its key changes with anything it shows).
KEPT_SECONDS = 600


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    """The member's notifications: the page is rendered once per everything it shows and
    kept (shared cache and process), so reading it again only fills the layout's holes.

    Rendering it in full was 16-18 ms of CPU a request (docs/bench-national.md, seventh
    pass). Each row's text is decided when the page is made (``kinds.text_for`` asks whether
    the member may still see the post); the shared key holds it as shown, with the row's id,
    whether it is unread and its relative time's bucket (``fragments.time_bucket``, which
    changes whenever naturaltime's text would), so any change makes a new page.

    Reading the rows and deciding their text was still 6-8 ms, so the process also keeps the
    split page under what decides it (``_kept_key``): the write generation (any forum write
    that may change whether a post is readable starts a new one), the member's
    notifications' version (every write to their rows forgets it) and their layout class;
    until the first row's relative time would change. A member reading it again then pays
    no query."""
    user = request.user
    page = page_number(request)
    layout = permissions.layout_class(user)
    kept_key = _kept_key(request, layout, page) if layout is not None else None
    if kept_key is not None:
        pieces = kept_pieces(kept_key)
        if pieces is not None:
            with page_reads("notifications-page", request):
                return HttpResponse(Holes(request).assemble_pieces(pieces))
    items, has_next = selectors.notification_list(viewer=user, page=page)
    for item in items:
        item.text = kinds.text_for(item, user)
    context = {"items": items, "has_next": has_next, "page": page}
    if layout is None:
        return render(request, LIST_TEMPLATE, context)
    holes = Holes(request)
    now = timezone.now()
    parts = (
        layout,
        get_language(),
        page,
        has_next,
        tuple(
            (
                item.pk,
                item.text,
                item.read_at is None,
                item.created_at,
                time_bucket(item.created_at, now),
            )
            for item in items
        ),
        layout_assets(),
    )

    def keep(pieces: tuple) -> None:
        if kept_key is not None:
            times = [item.created_at for item in items]
            keep_pieces(kept_key, pieces, seconds_until_times_change(times, now, KEPT_SECONDS))

    html = assembled_page(
        "notifications-page",
        request,
        None,
        parts,
        lambda: holes.render_shared(LIST_TEMPLATE, context),
        holes,
        lifetime=KEPT_SECONDS,
        keep=keep,
    )
    return HttpResponse(html)


def _kept_key(request: HttpRequest, layout, page: int) -> str | None:
    """What decides the member's page besides the clock, read before their rows (so what is
    kept under it is never older than it): None when it cannot be known."""
    if not settings.FRAGMENT_CACHE_ENABLED:
        return None
    version = selectors.list_version(request.user)
    if version is None:
        return None
    parts = (
        pagecache.generation(),
        version,
        request.user.pk,
        layout,
        get_language(),
        page,
        layout_assets(),
    )
    return shared_page_key("notifications-kept", parts)


@login_required
def notifications_json(request: HttpRequest) -> JsonResponse:
    """What a tab missed: notifications after an id, for the live script's catch-up."""
    try:
        after = int(request.GET.get("after", 0))
    except ValueError:
        return JsonResponse({"error": "after must be a notification id"}, status=400)
    items = selectors.notifications_after(viewer=request.user, after=after)
    return JsonResponse(
        {
            "notifications": [push.serialise(n, request.user) for n in items],
            "unread": selectors.unread_count(request.user),
        }
    )


@login_required
def open_notification(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Follow a notification to its post, marking it read on every tab."""
    notification = get_object_or_404(Notification, pk=notification_id, user=request.user)
    actions.mark_read(user=request.user, notification=notification)
    return redirect(kinds.link_for(notification, request.user))


@require_POST
@login_required
def mark_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    notification = get_object_or_404(Notification, pk=notification_id, user=request.user)
    actions.mark_read(user=request.user, notification=notification)
    return redirect("notifications:list")


@require_POST
@login_required
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = actions.mark_all_read(user=request.user)
    messages.success(request, _("%(count)d notifications marked as read.") % {"count": count})
    return redirect("notifications:list")


@require_POST
@login_required
def set_level(request: HttpRequest) -> HttpResponse:
    form = LevelForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(
            _("Choose a notification level for a thread, space, topic or tag.")
        )
    data = form.cleaned_data
    try:
        actions.set_level(
            user=request.user,
            target=data["target"],
            target_id=data["target_id"],
            level=data["level"],
        )
    except ValidationError as exc:
        return HttpResponseBadRequest(" ".join(exc.messages))
    except PermissionDenied:
        return HttpResponse(_("Not found."), status=404)
    messages.success(request, _("Notification level saved."))
    target = data.get("next") or "notifications:preferences"
    if data.get("next") and not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        target = "notifications:preferences"
    return redirect(target)


def _describe(user, subscriptions: list[Subscription]) -> list[dict]:
    """Names and links for the member's levels: one query per kind of target, each through
    the forum's visibility rule, so a thread or space they can no longer read is not named."""
    ids: dict[str, list[int]] = {}
    for s in subscriptions:
        ids.setdefault(s.target, []).append(s.target_id)
    from taggit.models import Tag

    names: dict[tuple[str, int], tuple[str, str]] = {}
    threads = permissions.visible_threads(user, Thread.objects.filter(pk__in=ids.get("thread", [])))
    for t in threads:
        names[("thread", t.pk)] = (t.title, t.get_absolute_url())
    for s in permissions.visible_spaces(user, Space.objects.filter(pk__in=ids.get("space", []))):
        names[("space", s.pk)] = (s.name, s.get_absolute_url())
    for t in Topic.objects.filter(pk__in=ids.get("topic", [])):
        names[("topic", t.pk)] = (t.name, t.get_absolute_url())
    for t in Tag.objects.filter(pk__in=ids.get("tag", [])):
        names[("tag", t.pk)] = (f"#{t.name}", f"/tags/{t.slug}/")
    rows = []
    for s in subscriptions:
        name, url = names.get((s.target, s.target_id), ("", ""))
        if name:
            rows.append({"subscription": s, "name": name, "url": url})
    return rows


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    prefs = preferences_for(request.user)
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            actions.update_preferences(user=request.user, **form.cleaned_data)
            messages.success(request, _("Email preferences saved."))
            return redirect("notifications:preferences")
        status = 400
    else:
        form = PreferencesForm(
            initial={"email_when_away": prefs.email_when_away, "digest": prefs.digest}
        )
        status = 200
    # Levels for what the member can no longer read go, so they are never named again.
    actions.forget_unreadable_subscriptions(user=request.user)
    subscriptions = list(
        Subscription.objects.filter(user=request.user).order_by("target", "-level")
    )
    from .models import Level

    return render(
        request,
        "notifications/preferences.html",
        {
            "form": form,
            "levels": _describe(request.user, subscriptions),
            "level_choices": Level.choices,
        },
        status=status,
    )


@csrf_exempt  # mail clients post the one-click unsubscribe (RFC 8058) without a CSRF token
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Stop an email from its link, without signing in: the signed token is the authority."""
    try:
        user_id, what = read_unsubscribe_token(token)
    except signing.BadSignature:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=400)
    if request.method == "POST":
        actions.unsubscribe(user_id=user_id, what=what)
        return render(request, "notifications/unsubscribe.html", {"done": True, "what": what})
    return render(request, "notifications/unsubscribe.html", {"token": token, "what": what})


# The installable app and web push on members' devices (notifications/webpush.py).


@login_required
def devices(request: HttpRequest) -> HttpResponse:
    """The member's push devices, and which kinds of notification they push."""
    status = 200
    if request.method == "POST":
        try:
            actions.set_push_groups(user=request.user, groups=request.POST.getlist("groups"))
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
            status = 400
        else:
            messages.success(request, _("Your choices for this and your other devices were saved."))
            return redirect("notifications:devices")
    page = selectors.device_page(viewer=request.user)
    return render(request, "notifications/devices.html", {"page": page}, status=status)


@require_POST
@login_required
def add_device(request: HttpRequest) -> JsonResponse:
    """Save this browser's push subscription, sent by static/js/pwa.js."""
    import json

    if request.content_type != "application/json":
        # pwa.js sends JSON; a form's body has already been read as fields by then.
        return JsonResponse({"error": _("Send the push subscription as JSON.")}, status=415)
    try:
        body = json.loads(request.body)
        keys = body.get("keys") or {}
        device = actions.register_device(
            user=request.user,
            endpoint=str(body["endpoint"]),
            p256dh=str(keys["p256dh"]),
            auth=str(keys["auth"]),
            label=str(body.get("label", "")),
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return JsonResponse(
            {"error": _("That does not look like a push subscription.")}, status=400
        )
    except ValidationError as e:
        return JsonResponse({"error": " ".join(e.messages)}, status=400)
    except PermissionDenied as e:
        return JsonResponse({"error": str(e)}, status=403)
    return JsonResponse({"id": device.pk}, status=201)


@require_POST
@login_required
def remove_device(request: HttpRequest, device_id: int) -> HttpResponse:
    actions.remove_device(user=request.user, device_id=device_id)
    messages.success(request, _("That device will not get notifications any more."))
    return redirect("notifications:devices")


def manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest: what the network looks like when installed."""
    from django.templatetags.static import static

    response = JsonResponse(
        {
            "name": "Family Hubs Network",
            "short_name": "Family Hubs",
            "description": _("The learning network of the National Centre for Family Hubs"),
            "id": "/",
            "start_url": "/",
            "scope": "/",
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": "#123566",
            "lang": "en-GB",
            "icons": [
                {"src": static("icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
                {"src": static("icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
                {
                    "src": static("icons/icon-maskable-512.png"),
                    "sizes": "512x512",
                    "type": "image/png",
                    "purpose": "maskable",
                },
            ],
        }
    )
    response["Content-Type"] = "application/manifest+json"
    return response


def service_worker(request: HttpRequest) -> HttpResponse:
    """static/js/sw.js at the site's root, so its scope is the whole site."""
    from django.contrib.staticfiles import finders

    path = finders.find("js/sw.js")
    with open(path, encoding="utf-8") as source:
        response = HttpResponse(source.read(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response


def offline(request: HttpRequest) -> HttpResponse:
    """The page the service worker shows when the network is down: the same for everyone."""
    return render(request, "notifications/offline.html")
