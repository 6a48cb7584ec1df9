"""Input from readers: notes, the My notes filter, access tokens."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS

from reader.models import AccessToken, Note, Tag, Tier
from reader.selectors.notes import SEARCH_MAX_LENGTH


class NoteBodyField(forms.CharField):
    """A note's text as typed: kept verbatim but for line endings, which browsers send as CRLF."""

    def __init__(self, **kwargs):
        # CharField already refuses NUL (ProhibitNullCharactersValidator).
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 5}))
        super().__init__(required=False, strip=False, max_length=Note.BODY_MAX_LENGTH, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n")


CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class TagsField(forms.CharField):
    """Comma-separated tags: trimmed, matched case-folded, at most ``Tag.MAX_PER_NOTE`` of ``Tag.MAX_LENGTH`` characters."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", f"Separate tags with commas; at most {Tag.MAX_PER_NOTE}.")
        super().__init__(required=False, label="Tags", **kwargs)

    def to_python(self, value) -> list[str]:
        text = super().to_python(value)
        tags: dict[str, str] = {}
        for name in (part.strip() for part in text.split(",")):
            if not name:
                continue
            if CONTROL_CHARACTERS.search(name):
                raise forms.ValidationError("A tag cannot contain control characters or line breaks.")
            if len(name) > Tag.MAX_LENGTH:
                raise forms.ValidationError(
                    f"A tag can be at most {Tag.MAX_LENGTH} characters long (“{name[:20]}…” has {len(name)})."
                )
            tags.setdefault(name.casefold(), name)
        if len(tags) > Tag.MAX_PER_NOTE:
            raise forms.ValidationError(f"A note can have at most {Tag.MAX_PER_NOTE} tags (this one has {len(tags)}).")
        return list(tags.values())

    def validate(self, value):
        # The list is checked in to_python; CharField's checks expect a string.
        pass

    def run_validators(self, value):
        pass


class NoteCreateForm(forms.Form):
    """A selection in the tier's canonical text, and the note's text (empty for a highlight)."""

    start = forms.IntegerField()
    end = forms.IntegerField()
    exact = forms.CharField(strip=False)
    body = NoteBodyField()
    tags = TagsField()


class NoteReattachForm(forms.Form):
    """The new place of a detached note: a selection in its tier's canonical text."""

    start = forms.IntegerField()
    end = forms.IntegerField()
    exact = forms.CharField(strip=False)


class NoteUpdateForm(forms.Form):
    body = NoteBodyField(label="Note")
    tags = TagsField()


class SearchField(forms.CharField):
    """A search box: NUL (which PostgreSQL can neither store nor search for) is dropped, not refused,
    so a stray one never makes the whole filter invalid."""

    def to_python(self, value):
        return super().to_python(value.replace("\x00", "") if isinstance(value, str) else value)


class NotesFilterForm(forms.Form):
    q = SearchField(required=False, label="Search quotes and notes")
    tier = forms.ChoiceField(required=False, choices=[("", "All tiers"), *Tier.choices], label="Tier")
    tag = forms.CharField(required=False, label="Tag", max_length=Tag.MAX_LENGTH)

    def clean_q(self) -> str:
        return self.cleaned_data["q"].strip()[:SEARCH_MAX_LENGTH]

    def clean_tag(self) -> str:
        return self.cleaned_data["tag"].strip().casefold()


def error_text(form: forms.Form) -> str:
    """A form's errors as one plain sentence per error, for a text/plain response."""
    messages = []
    for field, errors in form.errors.items():
        label = "" if field == NON_FIELD_ERRORS else f"{form.fields[field].label or field.capitalize()}: "
        messages.extend(f"{label}{error}" for error in errors)
    return "\n".join(messages)


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        max_length=AccessToken.NAME_MAX_LENGTH, label="Name",
        help_text="What will use it, e.g. “Hypothesis client on my laptop”.",
    )
