"""The W3C Web Annotation Data Model, as this site accepts it from other tools. Pure Python: no Django.

Parse and check, apart from the writes (``reader.annotations.services``):
:func:`annotation_parse` reads a request body, :func:`annotation_prepared`
checks it against the model and takes out what the server owns.

:func:`check_annotation` refuses, with a sentence naming the place, anything
that would break a MUST of the model as web-platform-tests checks it
(``../shared/w3c-annotation-model/validate.py``), so whatever the annotation
container returns passes that validator. Where the test suite's schemas are
quirky the rules here are stricter than the model, never looser:

- ``body`` and ``target`` are an IRI, an object, or a non-empty list of them
  (a one-element list is unwrapped by :func:`normalise`: JSON-LD reads it the
  same, and the validator refuses a one-element list of IRIs);
- a resource object is one of: a SpecificResource (``source`` plus at least one
  of ``selector``, ``state``, ``purpose``, ``styleClass``, ``renderedVia``,
  ``scope``), an embedded TextualBody (``value``; bodies only), a ``Choice``
  (``items``, no ``id``), or an External Web Resource (``id`` alone of those);
- a TextualBody with an ``id`` has no ``purpose`` and is not an item of a Choice;
  a Choice holds no further Choice;
- selectors and states are of the model's kinds, each with what it needs,
  or name an IRI (``id``);
- dates are ``YYYY-MM-DDThh:mm:ss`` with a zone; IRIs have a scheme and no white space.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable

from reader.errors import ReaderInputError

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
MOTIVATIONS = frozenset(
    "assessing bookmarking classifying commenting describing editing highlighting identifying "
    "linking moderating questioning replying tagging".split()
)
# Nesting deeper than this (selectors refined by selectors...) is refused.
MAX_DEPTH = 8
# ... and any JSON nested deeper than this, in any property.
MAX_JSON_DEPTH = 32

_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s]*")
_DATE_TIME = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.\d+)?(?:Z|[+-](\d\d):(\d\d))", re.ASCII
)
_LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9-]*)?", re.ASCII)
_SELECTOR_TYPES = frozenset(
    "FragmentSelector CssSelector XPathSelector TextQuoteSelector TextPositionSelector "
    "DataPositionSelector SvgSelector RangeSelector".split()
)
_STATE_TYPES = frozenset({"TimeState", "HttpRequestState"})


# The most an annotation sent to the container may weigh, as UTF-8 JSON.
MAX_ANNOTATION_BYTES = 64 * 1024
# Properties the server owns: a client's values are replaced (an "id" is kept in "via").
SERVER_PROPERTIES = ("id", "created", "modified")


class ModelError(ReaderInputError):
    """The annotation breaks the Web Annotation model; the message says where and why (400)."""


def is_iri(value) -> bool:
    return isinstance(value, str) and _IRI.fullmatch(value) is not None


def is_date_time(value) -> bool:
    if not isinstance(value, str):
        return False
    match = _DATE_TIME.fullmatch(value)
    if match is None:
        return False
    _year, month, day, hour, minute, second, zone_hour, zone_minute = (
        int(part) if part is not None else 0 for part in match.groups()
    )
    return 1 <= month <= 12 and 1 <= day <= 31 and hour <= 23 and minute <= 59 and second <= 59 and (
        zone_hour <= 23 and zone_minute <= 59
    )


def types_of(value) -> list[str]:
    """The ``type`` of an object as a list of strings (empty when absent or not strings)."""
    if not isinstance(value, dict):
        return []
    kind = value.get("type")
    if isinstance(kind, str):
        return [kind]
    if isinstance(kind, list):
        return [item for item in kind if isinstance(item, str)]
    return []


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def normalise(annotation: dict) -> dict:
    """A copy with one-element ``body``/``target`` lists unwrapped (the same annotation in JSON-LD)."""
    result = dict(annotation)
    for key in ("body", "target"):
        if isinstance(result.get(key), list) and len(result[key]) == 1:
            result[key] = result[key][0]
    return result


def check_json_text(value, path: str = "") -> None:
    """Refuse what no database stores or no reader should have to parse, anywhere (keys included):
    NUL characters, lone surrogates, numbers that are not finite, nesting deeper than ``MAX_JSON_DEPTH``."""
    stack = [(value, path or "the annotation", 0)]
    while stack:
        item, where, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise ModelError(f"{where} is nested more than {MAX_JSON_DEPTH} levels deep.")
        if isinstance(item, str):
            _check_string(item, where)
        elif isinstance(item, float) and not math.isfinite(item):
            raise ModelError(f"{where} is not a finite number.")
        elif isinstance(item, list):
            stack.extend((element, f"{where}[{index}]", depth + 1) for index, element in enumerate(item))
        elif isinstance(item, dict):
            for key, element in item.items():
                _check_string(key, where)
                stack.append((element, f"{where}.{key}" if where != "the annotation" else key, depth + 1))


def _check_string(text: str, where: str) -> None:
    if "\x00" in text:
        raise ModelError(f"{where} contains a NUL character.")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ModelError(f"{where} contains a lone surrogate (not a Unicode character).") from None


def check_annotation(annotation) -> None:
    """Raise :class:`ModelError` unless ``annotation`` (already :func:`normalise`\\ d) is one this site stores.

    ``id``, ``created`` and ``modified`` are the server's and are not checked here.
    """
    if not isinstance(annotation, dict):
        raise ModelError("An annotation is a JSON object.")
    context = annotation.get("@context")
    if not (context == ANNO_CONTEXT or (isinstance(context, list) and ANNO_CONTEXT in context)):
        raise ModelError(f'"@context" must be "{ANNO_CONTEXT}" or a list that includes it.')
    if isinstance(context, list) and not all(isinstance(item, (str, dict)) for item in context):
        raise ModelError('"@context" may list only IRIs and context objects.')
    if "Annotation" not in types_of(annotation):
        raise ModelError('"type" must be "Annotation" (or a list that includes it).')
    if "target" not in annotation:
        raise ModelError('An annotation needs a "target".')
    _resources(annotation["target"], "target", role="target")
    if "body" in annotation and "bodyValue" in annotation:
        raise ModelError('An annotation has either "body" or "bodyValue", not both.')
    if "body" in annotation:
        _resources(annotation["body"], "body", role="body")
    if "bodyValue" in annotation and not isinstance(annotation["bodyValue"], str):
        raise ModelError('"bodyValue" must be a string.')
    if "motivation" in annotation:
        _motivations(annotation["motivation"], "motivation", allow_iri=True)
    _common(annotation, "the annotation")
    if "generated" in annotation and not is_date_time(annotation["generated"]):
        raise ModelError('"generated" must be a date and time with a time zone, e.g. "2026-03-01T09:30:00Z".')
    if _has_style_class(annotation.get("body")) or _has_style_class(annotation.get("target")):
        if "stylesheet" not in annotation:
            raise ModelError('A resource with "styleClass" needs a "stylesheet" on the annotation.')
    if "stylesheet" in annotation:
        _stylesheet(annotation["stylesheet"])


def _has_style_class(value) -> bool:
    for item in as_list(value) if value is not None else []:
        if isinstance(item, dict) and ("styleClass" in item or _has_style_class(item.get("items"))):
            return True
    return False


def _stylesheet(value) -> None:
    if is_iri(value):
        return
    if isinstance(value, dict):
        kinds = types_of(value)
        if kinds and kinds != ["CssStylesheet"]:
            raise ModelError('"stylesheet" has the type "CssStylesheet".')
        if ("id" in value) == ("value" in value):
            raise ModelError('"stylesheet" has either an "id" (an IRI) or a "value" (CSS), not both.')
        if "id" in value and not is_iri(value["id"]):
            raise ModelError('"stylesheet.id" must be an IRI.')
        if "value" in value and not isinstance(value["value"], str):
            raise ModelError('"stylesheet.value" must be a string.')
        return
    raise ModelError('"stylesheet" must be an IRI or a CssStylesheet object.')


def _motivations(value, where: str, *, allow_iri: bool) -> None:
    items = value if isinstance(value, list) else [value]
    if not items:
        raise ModelError(f'"{where}" must not be an empty list.')
    for item in items:
        if not isinstance(item, str) or not (item in MOTIVATIONS or (allow_iri and is_iri(item))):
            known = ", ".join(sorted(MOTIVATIONS))
            raise ModelError(f'"{where}" must be one of: {known}' + (" (or an IRI)." if allow_iri else "."))


def _iris(value, where: str, *, single: bool = False) -> None:
    if is_iri(value):
        return
    if not single and isinstance(value, list) and value and all(is_iri(item) for item in value):
        return
    raise ModelError(f'"{where}" must be an IRI' + ("." if single else " or a list of IRIs."))


def _common(obj: dict, where: str) -> None:
    """Properties that any annotation, body, target or source may have."""
    for key in ("created", "modified"):
        if key in obj and not is_date_time(obj[key]):
            raise ModelError(f'"{key}" of {where} must be a date and time with a time zone, e.g. "2026-03-01T09:30:00Z".')
    if "rights" in obj:
        _iris(obj["rights"], f"rights of {where}")
    if "via" in obj:
        _iris(obj["via"], f"via of {where}")
    if "canonical" in obj:
        _iris(obj["canonical"], f"canonical of {where}", single=True)
    if "textDirection" in obj and obj["textDirection"] not in ("ltr", "rtl", "auto"):
        raise ModelError(f'"textDirection" of {where} must be "ltr", "rtl" or "auto".')
    if "language" in obj:
        languages = obj["language"] if isinstance(obj["language"], list) else [obj["language"]]
        if not languages or not all(isinstance(item, str) and _LANGUAGE.fullmatch(item) for item in languages):
            raise ModelError(f'"language" of {where} must be a language tag such as "en" or "en-GB".')
    if "processingLanguage" in obj and not (
        isinstance(obj["processingLanguage"], str) and _LANGUAGE.fullmatch(obj["processingLanguage"])
    ):
        raise ModelError(f'"processingLanguage" of {where} must be a language tag such as "en".')
    if "format" in obj:
        formats = obj["format"] if isinstance(obj["format"], list) else [obj["format"]]
        if not formats or not all(isinstance(item, str) and item for item in formats):
            raise ModelError(f'"format" of {where} must be a media type such as "text/plain".')
    if "type" in obj and not (
        isinstance(obj["type"], str) or (isinstance(obj["type"], list) and obj["type"] and all(isinstance(t, str) for t in obj["type"]))
    ):
        raise ModelError(f'"type" of {where} must be a string or a list of strings.')


def _resources(value, where: str, *, role: str) -> None:
    if isinstance(value, list):
        if not value:
            raise ModelError(f'"{where}" must not be an empty list.')
        for index, item in enumerate(value):
            _resource(item, f"{where}[{index}]", role=role, depth=1)
    else:
        _resource(value, where, role=role, depth=1)


def _iri_or_object(value, where: str, *, depth: int, not_iri: str, not_object: str) -> bool:
    """True when ``value`` is an IRI (nothing more to check), False for an object; else ModelError."""
    if depth > MAX_DEPTH:
        raise ModelError(f"{where} is nested too deeply.")
    if isinstance(value, str):
        if not is_iri(value):
            raise ModelError(not_iri)
        return True
    if not isinstance(value, dict):
        raise ModelError(not_object)
    return False


def _resource(value, where: str, *, role: str, depth: int, in_choice: bool = False) -> None:
    if _iri_or_object(
        value, where, depth=depth, not_iri=f'{where} must be an IRI (such as "https://example.org/page") or an object.',
        not_object=f"{where} must be an IRI or an object.",
    ):
        return
    if "id" in value and not is_iri(value["id"]):
        raise ModelError(f'"id" of {where} must be an IRI.')
    _common(value, where)
    if "source" not in value:
        for key in ("selector", "state", "styleClass", "renderedVia", "scope"):
            if key in value:
                raise ModelError(f'{where}: "{key}" belongs to a SpecificResource, which names its "source".')
    if "source" in value:
        _specific_resource(value, where, role=role, depth=depth)
    elif "value" in value:
        if role != "body":
            raise ModelError(f"{where}: a target cannot be embedded text; give the IRI of what is annotated.")
        if not isinstance(value["value"], str):
            raise ModelError(f'"value" of {where} must be a string.')
        if "items" in value:
            raise ModelError(f'{where}: an embedded TextualBody has no "items".')
        if "id" in value and ("purpose" in value or in_choice):
            raise ModelError(f'{where}: an embedded TextualBody with an "id" can have no "purpose" and cannot be an item of a Choice.')
        if "purpose" in value:
            _motivations(value["purpose"], f"purpose of {where}", allow_iri=False)
    elif "items" in value:
        if types_of(value) != ["Choice"]:
            raise ModelError(f'{where}: a resource with "items" must be a "Choice" (Composite, List and Independents are not supported).')
        if in_choice:
            raise ModelError(f"{where}: a Choice cannot hold another Choice.")
        for key in ("id", "purpose"):
            if key in value:
                raise ModelError(f'{where}: a Choice has no "{key}".')
        items = value["items"]
        if not isinstance(items, list) or not items:
            raise ModelError(f'"items" of {where} must be a non-empty list.')
        for index, item in enumerate(items):
            _resource(item, f"{where}.items[{index}]", role=role, depth=depth + 1, in_choice=True)
    elif "id" in value:
        for key in ("purpose", "target"):
            if key in value:
                raise ModelError(f'{where}: a web resource named by "id" has no "{key}" (use a SpecificResource with "source").')
    else:
        raise ModelError(
            f'{where} is not a resource the model knows: give an IRI, an object with an "id", '
            'a SpecificResource with a "source", or (a body) a TextualBody with a "value".'
        )


def _specific_resource(value: dict, where: str, *, role: str, depth: int) -> None:
    for key in ("value", "items"):
        if key in value:
            raise ModelError(f'{where}: a SpecificResource (with "source") has no "{key}".')
    source = value["source"]
    if isinstance(source, dict):
        if not is_iri(source.get("id")):
            raise ModelError(f'"source" of {where} must be an IRI or an object with an "id" IRI.')
        for key in ("source", "target", "items", "purpose", "value", "selector", "state"):
            if key in source:
                raise ModelError(f'"source" of {where} is a web resource and has no "{key}".')
        _common(source, f"the source of {where}")
    elif not is_iri(source):
        raise ModelError(f'"source" of {where} must be an IRI.')
    parts = ("selector", "state", "purpose", "styleClass", "renderedVia", "scope")
    if not any(key in value for key in parts):
        raise ModelError(
            f'{where} has a "source" but says nothing about it: add a "selector" (or state, purpose, '
            "styleClass, renderedVia or scope), or give the IRI alone."
        )
    if "selector" in value:
        _selectors(value["selector"], f"selector of {where}", depth=depth + 1)
    if "state" in value:
        _states(value["state"], f"state of {where}", depth=depth + 1)
    if "purpose" in value:
        _motivations(value["purpose"], f"purpose of {where}", allow_iri=False)
    if "styleClass" in value:
        classes = value["styleClass"] if isinstance(value["styleClass"], list) else [value["styleClass"]]
        if not classes or not all(isinstance(item, str) for item in classes):
            raise ModelError(f'"styleClass" of {where} must be a string or a list of strings.')
    if "renderedVia" in value:
        for item in as_list(value["renderedVia"]) or [None]:
            if not (is_iri(item) or (isinstance(item, dict) and is_iri(item.get("id")))):
                raise ModelError(f'"renderedVia" of {where} must be IRIs or objects with an "id" IRI.')
    if "scope" in value:
        _iris(value["scope"], f"scope of {where}")


def _listed(value, where: str) -> Iterable:
    if isinstance(value, list):
        if not value:
            raise ModelError(f'"{where}" must not be an empty list.')
        return value
    return [value]


def _selectors(value, where: str, *, depth: int) -> None:
    for item in _listed(value, where):
        _selector(item, where, depth=depth)


def _states(value, where: str, *, depth: int) -> None:
    for item in _listed(value, where):
        _state(item, where, depth=depth)


def _refined(obj: dict, where: str, *, depth: int) -> None:
    if "refinedBy" not in obj:
        return
    for item in _listed(obj["refinedBy"], f"refinedBy of {where}"):
        if isinstance(item, dict) and types_of(item) and set(types_of(item)) & _STATE_TYPES:
            _state(item, f"refinedBy of {where}", depth=depth + 1)
        else:
            _selector(item, f"refinedBy of {where}", depth=depth + 1)


def _selector(item, where: str, *, depth: int, in_range: bool = False) -> None:
    if in_range and isinstance(item, str):
        raise ModelError(f"{where} must be a selector object.")
    message = f"{where} must be a selector object or an IRI."
    if _iri_or_object(item, where, depth=depth, not_iri=message, not_object=message):
        return
    kinds = set(types_of(item))
    known = kinds & _SELECTOR_TYPES
    if len(known) > 1:
        raise ModelError(f"{where} names more than one kind of selector.")
    if not known:
        if in_range or not is_iri(item.get("id")):
            names = ", ".join(sorted(_SELECTOR_TYPES - ({"RangeSelector"} if in_range else set())))
            raise ModelError(f'{where} must be a selector of a known "type" ({names}) or name one by "id".')
        _refined(item, where, depth=depth)
        return
    kind = known.pop()
    if "id" in item and not is_iri(item["id"]):
        raise ModelError(f'"id" of {where} must be an IRI.')
    if kind in ("FragmentSelector", "CssSelector", "XPathSelector"):
        if not isinstance(item.get("value"), str):
            raise ModelError(f'A {kind} ({where}) needs a string "value".')
        if kind == "FragmentSelector" and "conformsTo" in item and not is_iri(item["conformsTo"]):
            raise ModelError(f'"conformsTo" of {where} must be an IRI.')
    elif kind == "TextQuoteSelector":
        if not isinstance(item.get("exact"), str):
            raise ModelError(f'A TextQuoteSelector ({where}) needs the quoted text as a string "exact".')
        for key in ("prefix", "suffix"):
            if key in item and not isinstance(item[key], str):
                raise ModelError(f'"{key}" of the TextQuoteSelector ({where}) must be a string.')
    elif kind in ("TextPositionSelector", "DataPositionSelector"):
        start, end = item.get("start"), item.get("end")
        if not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in (start, end)):
            raise ModelError(f'A {kind} ({where}) needs "start" and "end" as whole numbers, 0 or more.')
        if end < start:
            raise ModelError(f'A {kind} ({where}) ends ("end") before it starts ("start").')
    elif kind == "SvgSelector":
        if ("value" in item) == ("id" in item):
            raise ModelError(f'An SvgSelector ({where}) has either a "value" (SVG) or an "id", not both.')
        if "value" in item and not isinstance(item["value"], str):
            raise ModelError(f'"value" of the SvgSelector ({where}) must be a string.')
    elif kind == "RangeSelector":
        if in_range:
            raise ModelError(f"{where}: a RangeSelector cannot start or end with another RangeSelector.")
        for key in ("startSelector", "endSelector"):
            if key not in item:
                raise ModelError(f'A RangeSelector ({where}) needs "startSelector" and "endSelector".')
            if not isinstance(item[key], dict):
                raise ModelError(f'"{key}" of the RangeSelector ({where}) must be a selector object.')
            _selector(item[key], f"{key} of {where}", depth=depth + 1, in_range=True)
    _refined(item, where, depth=depth)


def _state(item, where: str, *, depth: int) -> None:
    message = f"{where} must be a state object or an IRI."
    if _iri_or_object(item, where, depth=depth, not_iri=message, not_object=message):
        return
    known = set(types_of(item)) & _STATE_TYPES
    if len(known) > 1:
        raise ModelError(f"{where} names more than one kind of state.")
    if "id" in item and not is_iri(item["id"]):
        raise ModelError(f'"id" of {where} must be an IRI.')
    if not known:
        if not is_iri(item.get("id")):
            raise ModelError(f'{where} must be a TimeState or HttpRequestState, or name a state by "id".')
    elif known == {"TimeState"}:
        has_date = "sourceDate" in item
        has_range = "sourceDateStart" in item or "sourceDateEnd" in item
        if has_date == has_range or (has_range and not ("sourceDateStart" in item and "sourceDateEnd" in item)):
            raise ModelError(f'A TimeState ({where}) has either "sourceDate" or both "sourceDateStart" and "sourceDateEnd".')
        dates = _listed(item["sourceDate"], f"sourceDate of {where}") if has_date else [item["sourceDateStart"], item["sourceDateEnd"]]
        if not all(is_date_time(date) for date in dates):
            raise ModelError(f"The dates of the TimeState ({where}) must be dates and times with a time zone.")
        if "cached" in item and not is_iri(item["cached"]):
            raise ModelError(f'"cached" of {where} must be an IRI.')
    else:
        if not isinstance(item.get("value"), str):
            raise ModelError(f'An HttpRequestState ({where}) needs a string "value".')
    _refined(item, where, depth=depth)


class Summary:
    """What a person reads of an annotation: the IRIs it targets, quotes, its text and its tags."""

    def __init__(self, annotation: dict):
        self.targets: list[str] = []
        self.quotes: list[str] = []
        self.texts: list[str] = []
        self.tags: list[str] = []
        for target in _flatten(annotation.get("target")):
            if isinstance(target, str):
                self.targets.append(target)
            elif isinstance(target, dict):
                source = target.get("source", target.get("id"))
                source = source.get("id") if isinstance(source, dict) else source
                if isinstance(source, str):
                    self.targets.append(source)
                for selector in as_list(target.get("selector", [])):
                    if "TextQuoteSelector" in types_of(selector) and isinstance(selector.get("exact"), str):
                        self.quotes.append(selector["exact"])
        if isinstance(annotation.get("bodyValue"), str):
            self.texts.append(annotation["bodyValue"])
        for body in _flatten(annotation.get("body")):
            if isinstance(body, str):
                self.texts.append(body)
            elif isinstance(body, dict) and isinstance(body.get("value"), str):
                purposes = as_list(body.get("purpose", []))
                (self.tags if "tagging" in purposes else self.texts).append(body["value"])
            elif isinstance(body, dict) and isinstance(body.get("id"), str):
                self.texts.append(body["id"])


def _flatten(value) -> list:
    items = []
    for item in as_list(value) if value is not None else []:
        if isinstance(item, dict) and isinstance(item.get("items"), list):
            items.extend(item["items"])
        else:
            items.append(item)
    return items


def annotation_too_large(size: int) -> ReaderInputError:
    return ReaderInputError(f"An annotation can be at most {MAX_ANNOTATION_BYTES // 1024} KB of JSON; this one is {size:,} bytes.", 413)


def annotation_parse(raw: bytes) -> dict:
    """The JSON object in a request body, or ReaderInputError (413 when too large)."""
    if len(raw) > MAX_ANNOTATION_BYTES:
        raise annotation_too_large(len(raw))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ReaderInputError("The body is not UTF-8 text.") from None
    try:
        data = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except ValueError as error:
        raise ReaderInputError(f"The body is not valid JSON: {error}.") from None
    except RecursionError:
        raise ReaderInputError("The body is not valid JSON: it is nested too deeply.") from None
    if not isinstance(data, dict):
        raise ReaderInputError("An annotation is a JSON object ({…}).")
    return data


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is too large a number")
    return value


def annotation_prepared(data: dict, *, client_id_to_via: bool) -> dict:
    """The annotation without the server's properties, checked against the model; "id" moved to "via"."""
    check_json_text(data)
    annotation = normalise({k: v for k, v in data.items() if k not in SERVER_PROPERTIES})
    client_id = data.get("id")
    if client_id_to_via and client_id is not None:
        if not is_iri(client_id):
            raise ModelError('"id" must be an IRI; the server gives the annotation its own id and keeps yours in "via".')
        via = [item for item in as_list(annotation.get("via", [])) if item != client_id] + [client_id]
        annotation["via"] = via[0] if len(via) == 1 else via
    check_annotation(annotation)
    return annotation
