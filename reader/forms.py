"""Input from readers: notes, the My notes filter, sign-up."""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS

from reader.models import Note, Tier
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


class NoteCreateForm(forms.Form):
    """A selection in the tier's canonical text, and the note's text (empty for a highlight)."""

    start = forms.IntegerField()
    end = forms.IntegerField()
    exact = forms.CharField(strip=False)
    body = NoteBodyField()


class NoteUpdateForm(forms.Form):
    body = NoteBodyField(label="Note")


class NotesFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search quotes and notes")
    tier = forms.ChoiceField(required=False, choices=[("", "All tiers"), *Tier.choices], label="Tier")

    def clean_q(self) -> str:
        # NUL cannot be stored or searched for in PostgreSQL; nothing sensible contains it.
        return self.cleaned_data["q"].replace("\x00", "").strip()[:SEARCH_MAX_LENGTH]


def error_text(form: forms.Form) -> str:
    """A form's errors as one plain sentence per error, for a text/plain response."""
    messages = []
    for field, errors in form.errors.items():
        label = "" if field == NON_FIELD_ERRORS else f"{form.fields[field].label or field.capitalize()}: "
        messages.extend(f"{label}{error}" for error in errors)
    return "\n".join(messages)
