from __future__ import annotations

from django import forms
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from community.accounts.models import Region
from community.forum.forms import SOURCE_HELP
from community.forum.models import Topic

from . import permissions
from .models import AgeStage, Audience, Resource


class ResourceForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(
        label=_("Summary"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One or two sentences: what it is and who it helps."),
    )
    source = forms.CharField(
        label=_("Body"),
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=_(
            "Follow the toolkit's shape: what it is, why it matters to families, how to do it, "
            "evidence, related. "
        )
        + SOURCE_HELP,
    )
    type = forms.ChoiceField(label=_("Type"), choices=Resource.Type.choices)
    principle = forms.ChoiceField(
        label=_("Principle"),
        choices=[("", _("None in particular")), *Resource.Principle.choices],
        required=False,
    )
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics"),
        queryset=Topic.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    is_national = forms.BooleanField(
        label=_("National: for every region"), required=False, initial=True
    )
    regions = forms.ModelMultipleChoiceField(
        label=_("Regions"),
        queryset=Region.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Only when the resource is not national."),
    )
    audiences = forms.ModelMultipleChoiceField(
        label=_("Audiences"),
        queryset=Audience.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    age_stages = forms.ModelMultipleChoiceField(
        label=_("Age stages"),
        queryset=AgeStage.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    evidence_rating = forms.ChoiceField(
        label=_("Evidence rating"),
        choices=Resource.EvidenceRating.choices,
        initial=Resource.EvidenceRating.NOT_RATED,
        help_text=_("Foundations' guidebook level: strength of evidence, not size of effect."),
    )
    evidence_type = forms.ChoiceField(
        label=_("Evidence type"), choices=Resource.EvidenceType.choices
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        help_text=_("Optional, separated by commas, for example: send, outreach"),
    )
    review_interval_months = forms.IntegerField(
        label=_("Review every (months)"), min_value=1, max_value=36, initial=12
    )

    def clean_tags(self) -> list[str]:
        return [t for t in self.cleaned_data.get("tags", "").split(",") if t.strip()]

    @classmethod
    def initial_for(cls, resource: Resource) -> dict:
        return {
            "title": resource.title,
            "summary": resource.summary,
            "source": resource.source,
            "type": resource.type,
            "principle": resource.principle,
            "topics": list(resource.topics.all()),
            "is_national": resource.is_national,
            "regions": list(resource.regions.all()),
            "audiences": list(resource.audiences.all()),
            "age_stages": list(resource.age_stages.all()),
            "evidence_rating": resource.evidence_rating,
            "evidence_type": resource.evidence_type,
            "tags": ", ".join(t.name for t in resource.tags.all()),
            "review_interval_months": resource.review_interval_months,
        }


class SubmitForm(forms.Form):
    reviewers = forms.ModelMultipleChoiceField(
        label=_("Reviewers"),
        queryset=permissions.eligible_reviewers().order_by("display_name"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Moderators, centre staff, experts and verified professionals."),
    )

    def __init__(self, *args, exclude_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if exclude_user is not None:
            self.fields["reviewers"].queryset = self.fields["reviewers"].queryset.exclude(
                pk=exclude_user.pk
            )
        self.fields["reviewers"].label_from_instance = lambda u: (
            f"{u.display_name or u.username} ({u.get_role_display()})"
        )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Your decision"),
        choices=[("approve", _("Approve")), ("changes", _("Ask for changes"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comments"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Needed when you ask for changes."),
    )


class PublishForm(forms.Form):
    change_note = forms.CharField(
        label=_("What changed (shown in the history)"), max_length=300, required=False
    )


class UnarchiveForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it coming back? (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the resource's log."),
    )


class ArchiveForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it archived?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Readers see this reason on the resource."),
    )


class NextReviewForm(forms.Form):
    next_review_at = forms.DateField(
        label=_("Next review date"), widget=forms.DateInput(attrs={"type": "date"})
    )


class CurateForm(forms.Form):
    title = forms.CharField(label=_("Title of the draft resource"), max_length=200)
    posts = forms.ModelMultipleChoiceField(
        label=_("Posts to quote"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Their authors are asked to agree. Posts by under-18s are left out until they agree."
        ),
    )

    def __init__(self, *args, posts=(), **kwargs):
        super().__init__(*args, **kwargs)
        from community.forum.models import Post

        self.fields["posts"].queryset = Post.objects.filter(pk__in=[p.pk for p in posts])
        by_pk = {p.pk: p for p in posts}
        self.fields["posts"].label_from_instance = lambda p: _describe_post(by_pk.get(p.pk, p))


def _describe_post(post) -> str:
    minor = _(" (under 18)") if post.author.is_minor else ""
    excerpt = Truncator(post.text or post.source).chars(120)
    return f"#{post.number} {post.author.display_name}{minor}: {excerpt}"


class RateForm(forms.Form):
    useful = forms.TypedChoiceField(
        label=_("Was this resource useful?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )


class FeedbackForm(forms.Form):
    text = forms.CharField(
        label=_("Your feedback"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "The owner and reviewers read it at the next review. "
            "Never include a family's or child's details."
        ),
    )


class CreditAnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Your answer"),
        choices=[
            ("agree", _("Yes: quote my words and credit me by my display name")),
            ("decline", _("No: leave my words out of this resource")),
        ],
        widget=forms.RadioSelect,
    )
