from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Reaction, Space, Topic
from .uploads import PreparedUpload, prepare_upload

MAX_FILES = 5


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Several files in one input, each checked by content and re-encoded."""

    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None) -> list[PreparedUpload]:
        files = [f for f in (data if isinstance(data, (list, tuple)) else [data]) if f]
        if len(files) > MAX_FILES:
            raise ValidationError(
                _("Attach at most %(max)d files to one post.") % {"max": MAX_FILES}
            )
        prepared, errors = [], []
        for upload in files:
            try:
                prepared.append(prepare_upload(upload))
            except ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise ValidationError(errors)
        return prepared


SOURCE_HELP = _(
    "Markdown works: **bold**, _italic_, lists, links. Mention someone with @username. "
    "Never include a family's or child's name, contact details or case details."
)


class ReplyForm(forms.Form):
    source = forms.CharField(
        label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 8}), help_text=SOURCE_HELP
    )
    reply_to = forms.IntegerField(required=False, widget=forms.HiddenInput)
    attachments = AttachmentsField(
        label=_("Attach images or PDFs"), help_text=_("Up to 5 files, each up to 8 MB.")
    )


class ThreadForm(forms.Form):
    space = forms.ModelChoiceField(
        label=_("Space"), queryset=Space.objects.none(), empty_label=None
    )
    topic = forms.ModelChoiceField(
        label=_("Practice topic"), queryset=Topic.objects.all(), empty_label=_("Choose a topic")
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    source = forms.CharField(
        label=_("Your post"), widget=forms.Textarea(attrs={"rows": 10}), help_text=SOURCE_HELP
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        help_text=_("Optional, separated by commas, for example: send, outreach, rural"),
    )
    attachments = AttachmentsField(
        label=_("Attach images or PDFs"), help_text=_("Up to 5 files, each up to 8 MB.")
    )

    def __init__(self, *args, spaces=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["space"].queryset = Space.objects.filter(pk__in=[s.pk for s in spaces])

    def clean_tags(self) -> list[str]:
        return [t for t in self.cleaned_data.get("tags", "").split(",") if t.strip()]


class EditPostForm(forms.Form):
    source = forms.CharField(
        label=_("Post"), widget=forms.Textarea(attrs={"rows": 10}), help_text=SOURCE_HELP
    )
    reason = forms.CharField(label=_("Reason for the edit"), max_length=200, required=False)


class EditThreadForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    topic = forms.ModelChoiceField(label=_("Practice topic"), queryset=Topic.objects.all())
    tags = forms.CharField(label=_("Tags"), required=False)

    def clean_tags(self) -> list[str]:
        return [t for t in self.cleaned_data.get("tags", "").split(",") if t.strip()]


class ReactionForm(forms.Form):
    kind = forms.ChoiceField(choices=Reaction.Kind.choices)


class SpaceSettingsForm(forms.Form):
    default_topic = forms.ModelChoiceField(
        queryset=Topic.objects.order_by("name"),
        required=False,
        empty_label=_("None: API clients must name a practice topic"),
        label=_("Default practice topic"),
        help_text=_(
            "A thread started in this space through the API gets this practice topic when its "
            "client names none. The site's own form always asks for one."
        ),
    )
