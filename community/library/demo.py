"""The library part of the demo: published resources with evidence ratings, one co-produced."""

from __future__ import annotations

from community.forum.models import Thread, Topic

from . import actions
from .models import Audience, Credit, Resource

RESOURCES = [
    # title, type, evidence rating, evidence type, principle, topic slug, audience slugs
    ("Evening parenting groups for working parents: a session plan", "template", "not_rated",
     "practice", "access", "parenting-support", ["practitioner"]),
    ("Video interaction guidance: programme profile", "programme_profile", "3+", "trial",
     "relationships", "perinatal-mental-health", ["practitioner", "commissioner"]),
    ("Publishing your Start for Life offer: a toolkit module", "toolkit_module", "not_rated",
     "policy", "access", "start-for-life", ["commissioner"]),
    ("Family hubs and seldom-heard fathers: research summary", "research_summary", "not_rated",
     "systematic_review", "connection", "inclusion-seldom-heard", ["practitioner", "commissioner"]),
]  # fmt: skip
SOURCE = (
    "## What it is\n\n{title}.\n\n## Why it matters to families\n\nFamilies told us they want "
    "help at times and in places that fit their lives.\n\n## How to do it\n\n1. Start with what "
    "families in your area say.\n2. Agree a named lead.\n3. Review after three months.\n\n"
    "## Evidence\n\nSee the evidence rating and type above."
)


def _publish(resource: Resource, *, owner, reviewer) -> None:
    actions.submit_for_review(actor=owner, resource=resource, reviewers=[reviewer])
    actions.review_resource(actor=reviewer, resource=resource, approve=True, comment="Ready.")
    actions.publish_resource(actor=owner, resource=resource, change_note="First edition")


def seed(*, members: dict) -> str:
    """Publish the demo resources once, and a co-produced one curated from a parents' thread."""
    staff, moderator = members["alex"], members["morgan"]
    topics = {t.slug: t for t in Topic.objects.all()}
    audiences = {a.slug: a for a in Audience.objects.all()}
    for title, kind, rating, evidence, principle, topic, audience in RESOURCES:
        if Resource.objects.filter(title=title).exists():
            continue
        resource = actions.create_resource(
            actor=staff,
            title=title,
            summary=f"{title}, shared through the Family Hubs Network.",
            source=SOURCE.format(title=title),
            type=kind,
            evidence_rating=rating,
            evidence_type=evidence,
            principle=principle,
            is_national=True,
            topics=[t for t in [topics.get(topic)] if t],
            audiences=[audiences[a] for a in audience if a in audiences],
        )
        _publish(resource, owner=staff, reviewer=moderator)
    # Co-production: a moderator curates a conversation; its authors answer the credit request.
    thread = Thread.objects.filter(space__slug="parents-and-carers").order_by("pk").first()
    if thread is not None and not Resource.objects.filter(source_thread=thread).exists():
        resource = actions.curate_thread(actor=moderator, thread=thread)
        for credit in Credit.objects.filter(resource=resource).select_related("user"):
            if credit.consent == Credit.Consent.PENDING and not credit.user.is_minor:
                actions.answer_credit(actor=credit.user, credit=credit, consent=True)
        _publish(resource, owner=moderator, reviewer=staff)
    published = Resource.objects.exclude(current_version=None).count()
    return f"{published} library resources published."
