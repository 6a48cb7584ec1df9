"""``{% load reader_annotations %}{% annotations_elsewhere as elsewhere %}``: the reader's annotations on anything but our tiers (My notes).

Each item has ``id`` (its URL in the container), ``targets`` (a list of
``(text, href)``: ``href`` only for http(s) addresses), ``quotes``, ``texts``,
``tags``, ``created`` and ``created_iso``. One query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django import template
from django.utils import timezone

from reader.annotation_model import Summary
from reader.selectors.annotations import annotations_elsewhere

register = template.Library()

WEB_ADDRESS = re.compile(r"https?://\S+")


@dataclass
class ElsewhereItem:
    id: str
    targets: list[tuple[str, str]]
    quotes: list[str]
    texts: list[str]
    tags: list[str]
    created: object
    created_iso: str


@register.simple_tag(takes_context=True, name="annotations_elsewhere")
def annotations_elsewhere_of_reader(context) -> list[ElsewhereItem]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    items = []
    for annotation in annotations_elsewhere(user=user):
        summary = Summary(annotation.data)
        items.append(ElsewhereItem(
            id=annotation.get_absolute_url(),
            targets=[(target, target if WEB_ADDRESS.fullmatch(target) else "") for target in summary.targets],
            quotes=summary.quotes, texts=summary.texts, tags=summary.tags, created=annotation.created,
            created_iso=timezone.localtime(annotation.created).replace(microsecond=0).isoformat(),
        ))
    return items
