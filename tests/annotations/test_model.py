"""reader.annotations.model: what it refuses, and that whatever it accepts passes the W3C model's validator.

The property test generates annotation-like JSON from the model's vocabulary
(valid and broken selectors, states, resources, dates, IRIs) and checks that
every annotation ``check_annotation`` accepts, stored and served as the
container serves it (``jsonld.external_annotation``), has no failed MUST in
``../shared/w3c-annotation-model/validate.py``.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.annotations.jsonld import external_annotation
from reader.annotations.model import ANNO_CONTEXT, ModelError, Summary, check_annotation, check_json_text, normalise
from reader.models import ExternalAnnotation
from tests.w3c_validator import must_failures

WHEN = datetime(2026, 3, 1, 9, 30, tzinfo=timezone.utc)


def served(annotation: dict) -> dict:
    """The annotation as GET /annotations/<id> serves it once stored."""
    stored = ExternalAnnotation(uuid=uuid.UUID(int=7), data=annotation, created=WHEN, modified=WHEN)
    return external_annotation(stored, lambda path: "https://reader.example" + path)


def accepted(annotation: dict) -> dict:
    annotation = normalise(annotation)
    check_annotation(annotation)
    return annotation


def anno(**fields) -> dict:
    return {"@context": ANNO_CONTEXT, "type": "Annotation", **fields}


VALID = [
    anno(target="http://example.org/page"),
    anno(body={"type": "TextualBody", "value": "I like this page!"}, target="http://www.example.com/index.html",
         canonical="urn:uuid:dbfb1861-0ecf-41ad-be94-a584e5c4f1df"),
    anno(bodyValue="Comment text", motivation="commenting", target=["http://example.org/a", "http://example.org/b"]),
    anno(body=["http://example.org/tag1", {"type": "TextualBody", "value": "tag", "purpose": "tagging"}],
         target={"source": "http://example.org/page1", "selector": {"type": "TextQuoteSelector", "exact": "anotation",
                 "prefix": "this is an ", "suffix": " that has some"}}),
    anno(target={"source": "http://example.org/video1", "selector": {"type": "FragmentSelector", "value": "t=30,60",
         "conformsTo": "http://www.w3.org/TR/media-frags/"}, "state": {"type": "TimeState", "sourceDate": "2015-01-01T12:00:00Z"}}),
    anno(target={"source": "http://example.org/page1", "selector": {"type": "RangeSelector",
         "startSelector": {"type": "XPathSelector", "value": "//table[1]/tr[1]/td[2]"},
         "endSelector": {"type": "XPathSelector", "value": "//table[1]/tr[1]/td[4]"}}}),
    anno(target={"source": "http://example.org/page1", "selector": {"type": "TextPositionSelector", "start": 412, "end": 795,
         "refinedBy": {"type": "CssSelector", "value": "#elemid > .elemclass + p"}}}),
    anno(body={"type": "Choice", "items": [{"type": "TextualBody", "value": "I love this!", "language": "en"},
         {"type": "TextualBody", "value": "Je l'adore !", "language": "fr"}]}, target="http://example.org/page1"),
    anno(stylesheet={"type": "CssStylesheet", "value": ".red { color: red }"},
         target={"source": "http://example.org/page1", "styleClass": "red"}),
    anno(body={"id": "http://example.org/analysis1.mp3", "format": "audio/mpeg", "language": "fr"},
         target={"id": "http://example.gov/patent1.pdf", "format": "application/pdf", "language": ["en", "ar"],
                 "textDirection": "ltr", "rights": "http://creativecommons.org/licenses/by/4.0/"},
         rights="https://creativecommons.org/publicdomain/zero/1.0/", via="http://other.example/anno1"),
    anno(target={"source": "http://example.org/ebook1", "selector": {"type": "SvgSelector", "id": "http://example.org/svg1"},
         "purpose": "describing"}, creator={"id": "http://example.org/user1", "type": "Person", "name": "A. Person"},
         generated="2015-02-04T12:00:00Z"),
]


@pytest.mark.parametrize("annotation", VALID, ids=range(len(VALID)))
def test_the_models_own_examples_are_accepted_and_pass_the_validator(annotation):
    checked, failures = must_failures(served(accepted(annotation)))
    assert checked == 1 and failures == []


@pytest.mark.parametrize(
    "annotation, reason",
    [
        ({"type": "Annotation", "target": "http://example.org/"}, '"@context"'),
        ({"@context": "http://example.org/context", "type": "Annotation", "target": "http://example.org/"}, '"@context"'),
        (anno(type="Note", target="http://example.org/"), '"type"'),
        (anno(), '"target"'),
        (anno(target="not an iri"), "IRI"),
        (anno(target=[]), "empty"),
        (anno(target={"type": "TextualBody", "value": "text"}), "target cannot be embedded text"),
        (anno(target="http://example.org/", body="x", bodyValue="y"), "not both"),
        (anno(target="http://example.org/", body={"value": 3}), '"value"'),
        (anno(target="http://example.org/", body={"type": "TextualBody", "value": "x", "source": "http://example.org/"}), "SpecificResource"),
        (anno(target={"source": "http://example.org/"}), "says nothing"),
        (anno(target={"source": "http://example.org/", "selector": {"type": "TextQuoteSelector"}}), '"exact"'),
        (anno(target={"source": "http://example.org/", "selector": {"type": "TextPositionSelector", "start": -1, "end": 2}}), "whole numbers"),
        (anno(target={"source": "http://example.org/", "selector": {"type": "TextPositionSelector", "start": True, "end": 2}}), "whole numbers"),
        (anno(target={"source": "http://example.org/", "selector": {"type": "Mystery"}}), "known"),
        (anno(target={"source": "http://example.org/", "selector": {"type": "SvgSelector", "id": "http://e.org/s", "value": "<svg/>"}}), "not both"),
        (anno(target={"source": "http://example.org/", "state": {"type": "TimeState"}}), "sourceDate"),
        (anno(target={"id": "http://example.org/", "items": ["http://example.org/a"]}), "Choice"),
        (anno(target={"type": "Choice", "id": "http://example.org/c", "items": ["http://example.org/a"]}), 'has no "id"'),
        (anno(target={"id": "http://example.org/", "purpose": "tagging"}), '"purpose"'),
        (anno(target="http://example.org/", body={"type": "TextualBody", "value": "x", "purpose": "liking"}), "purpose"),
        (anno(target="http://example.org/", body={"type": "TextualBody", "value": "x", "id": "http://e.org/b", "purpose": "tagging"}), "purpose"),
        (anno(target="http://example.org/", created="yesterday"), "date"),
        (anno(target="http://example.org/", generated="2026-03-01"), "date"),
        (anno(target="http://example.org/", canonical=["urn:a", "urn:b"]), "canonical"),
        (anno(target={"id": "http://example.org/", "textDirection": "up"}), "textDirection"),
        (anno(target={"source": "http://example.org/", "styleClass": "red"}), "stylesheet"),
        (anno(target={"id": "http://example.org/", "selector": {"type": "CssSelector", "value": "p"}}), "SpecificResource"),
    ],
)
def test_what_breaks_the_model_is_refused_with_the_reason(annotation, reason):
    with pytest.raises(ModelError, match=reason.replace("(", r"\(")):
        accepted(annotation)


def test_a_one_element_list_is_the_element_itself():
    annotation = accepted(anno(target=["http://example.org/"], body=[{"type": "TextualBody", "value": "x"}]))
    assert annotation["target"] == "http://example.org/" and annotation["body"] == {"type": "TextualBody", "value": "x"}


def test_text_no_database_can_store_is_refused():
    deep: list = ["x"]
    for _ in range(40):
        deep = [deep]
    for bad in ({"a": "x\x00y"}, {"a\x00": "x"}, ["\ud800"], {"n": float("inf")}, {"n": float("nan")}, deep):
        with pytest.raises(ModelError):
            check_json_text(bad)
    check_json_text({"fine": ["ünïcødé ✓", 1, None, {"k": "v"}]})


def test_summary_reads_targets_quotes_texts_and_tags():
    summary = Summary(anno(
        target=[{"source": {"id": "https://example.org/a"}, "selector": {"type": "TextQuoteSelector", "exact": "quoted"}},
                "https://example.org/b"],
        body=[{"type": "TextualBody", "value": "text"}, {"type": "TextualBody", "value": "tag1", "purpose": ["tagging"]}],
    ))
    assert summary.targets == ["https://example.org/a", "https://example.org/b"]
    assert (summary.quotes, summary.texts, summary.tags) == (["quoted"], ["text"], ["tag1"])


# --- whatever is accepted passes the validator ----------------------------------------------------
# Mostly well-formed pieces of the model (so that many annotations are accepted), each of which may be
# "mutated": given extra keys from the model's vocabulary with arbitrary values, valid or not.

GOOD_IRIS = st.sampled_from(["http://example.org/page", "https://example.com/p?q=1#frag", "urn:uuid:dbfb1861", "mailto:a@example.org"])
BAD_IRIS = st.sampled_from(["not an iri", "/relative/path", "", "http://a b", "http://example.org/\u2003x", "1http://x"])


def mostly(good, bad):
    """``good`` about nine times in ten (hypothesis favours the ends of a range, so ``bad`` is in its middle)."""
    return st.integers(0, 9).flatmap(lambda n: bad if n == 6 else good)


IRIS = mostly(GOOD_IRIS, BAD_IRIS)
DATES = mostly(
    st.sampled_from(["2026-03-01T09:30:00Z", "2026-03-01T09:30:00.5+01:00"]),
    st.sampled_from(["2026-03-01", "2026-13-01T00:00:00Z", "later", "2026-03-01T09:30:00"]),
)
TEXTS = st.one_of(st.sampled_from(["", "quote", "a b"]), st.text(max_size=4))
SCALARS = st.one_of(IRIS, DATES, TEXTS, st.integers(-2, 5), st.booleans(), st.none(), st.just([]), st.just({}))


def one_or_list(strategy):
    return st.one_of(strategy, strategy, st.lists(strategy, min_size=1, max_size=3), st.lists(strategy, max_size=2))


VOCABULARY = [
    "id", "type", "source", "value", "items", "purpose", "selector", "state", "styleClass", "renderedVia", "scope",
    "refinedBy", "exact", "prefix", "start", "end", "startSelector", "sourceDate", "created", "modified", "rights",
    "via", "canonical", "textDirection", "language", "format", "target", "body", "bodyValue", "conformsTo",
]


def mutated(strategy):
    """The strategy's dicts, sometimes with extra keys of the model's vocabulary (any values)."""
    extra = st.dictionaries(st.sampled_from(VOCABULARY), SCALARS, max_size=2)

    def merge(pair):
        value, more = pair
        return {**value, **more} if isinstance(value, dict) else value

    return mostly(strategy, st.tuples(strategy, extra).map(merge))


COMMON = {
    "created": DATES, "modified": DATES, "rights": one_or_list(IRIS), "via": one_or_list(IRIS), "canonical": IRIS,
    "textDirection": mostly(st.sampled_from(["ltr", "rtl", "auto"]), st.just("up")),
    "language": one_or_list(mostly(st.sampled_from(["en", "fr-CA"]), st.sampled_from(["EN", "e"]))),
    "format": one_or_list(mostly(st.sampled_from(["text/plain", "text/html"]), st.just(""))),
}
COMMON_SOME = st.fixed_dictionaries({}, optional=COMMON)


def _kind(name, required, optional=None):
    return st.fixed_dictionaries({"type": st.just(name), **required}, optional=optional or {})


POSITIONS = st.one_of(st.integers(0, 50), st.integers(0, 50), st.integers(-1, 2), st.just(True), st.just("3"))
SIMPLE_SELECTORS = st.one_of(
    _kind("TextQuoteSelector", {"exact": TEXTS}, {"prefix": TEXTS, "suffix": TEXTS}),
    _kind("TextPositionSelector", {"start": POSITIONS, "end": POSITIONS}),
    _kind("DataPositionSelector", {"start": POSITIONS, "end": POSITIONS}),
    _kind("FragmentSelector", {"value": TEXTS}, {"conformsTo": IRIS}),
    _kind("CssSelector", {"value": TEXTS}),
    _kind("XPathSelector", {"value": TEXTS}),
    _kind("SvgSelector", {"value": TEXTS}), _kind("SvgSelector", {"id": IRIS}),
    st.fixed_dictionaries({"id": IRIS}, optional={"type": st.just("Mystery")}),
)
STATES = st.one_of(
    _kind("TimeState", {"sourceDate": one_or_list(DATES)}, {"cached": IRIS}),
    _kind("TimeState", {"sourceDateStart": DATES, "sourceDateEnd": DATES}),
    _kind("HttpRequestState", {"value": TEXTS}),
    st.fixed_dictionaries({"id": IRIS}),
    IRIS,
)
REFINED = st.tuples(SIMPLE_SELECTORS, st.one_of(st.none(), one_or_list(st.one_of(SIMPLE_SELECTORS, STATES)))).map(
    lambda pair: pair[0] if pair[1] is None else {**pair[0], "refinedBy": pair[1]}
)
SELECTORS = mutated(st.one_of(
    REFINED, IRIS, _kind("RangeSelector", {"startSelector": mutated(SIMPLE_SELECTORS), "endSelector": mutated(SIMPLE_SELECTORS)}),
))
PURPOSES = one_or_list(st.sampled_from(["tagging", "commenting", "describing", "liking"]))


def _with(base, optional):
    return st.tuples(base, st.fixed_dictionaries({}, optional=optional), COMMON_SOME).map(lambda t: {**t[0], **t[1], **t[2]})


SOURCES = st.one_of(IRIS, _with(st.fixed_dictionaries({"id": IRIS}), {}))
SPECIFIC = _with(
    st.fixed_dictionaries({"source": SOURCES}),
    {"selector": one_or_list(SELECTORS), "state": one_or_list(mutated(STATES)), "purpose": PURPOSES,
     "styleClass": one_or_list(TEXTS), "renderedVia": one_or_list(IRIS), "scope": one_or_list(IRIS), "id": IRIS},
)
EXTERNAL = _with(st.fixed_dictionaries({"id": IRIS}), {"type": st.sampled_from(["Text", "Image", ["Text", "Dataset"]])})
TEXTUAL = _with(st.fixed_dictionaries({"value": TEXTS}), {"type": st.just("TextualBody"), "purpose": PURPOSES, "id": IRIS})
PLAIN_RESOURCES = mutated(st.one_of(IRIS, EXTERNAL, SPECIFIC, TEXTUAL))
RESOURCES = st.one_of(
    PLAIN_RESOURCES, PLAIN_RESOURCES, PLAIN_RESOURCES,
    mutated(st.fixed_dictionaries({"type": st.just("Choice"), "items": st.lists(PLAIN_RESOURCES, max_size=3)})),
)

ANNOTATIONS = mutated(st.fixed_dictionaries(
    {
        "@context": mostly(st.sampled_from([ANNO_CONTEXT, [ANNO_CONTEXT, "http://www.w3.org/ns/ldp.jsonld"]]), st.just("http://bogus/")),
        "type": mostly(st.sampled_from(["Annotation", ["Annotation", "Thing"]]), st.just("Thing")),
        "target": one_or_list(RESOURCES),
    },
    optional={
        "body": one_or_list(RESOURCES), "bodyValue": st.one_of(TEXTS, st.integers()),
        "motivation": one_or_list(st.sampled_from(["commenting", "tagging", "http://example.org/liking", "liking"])),
        "stylesheet": st.one_of(IRIS, st.fixed_dictionaries({}, optional={"type": st.just("CssStylesheet"), "id": IRIS, "value": TEXTS})),
        "generated": DATES, "creator": st.just({"type": "Person", "name": "A"}), **COMMON,
    },
))


def check_accepted_pass_the_validator(annotation):
    try:
        annotation = accepted(annotation)
    except ModelError:
        return
    document = served(annotation)
    json.dumps(document)
    checked, failures = must_failures(document)
    assert checked == 1 and failures == [], (annotation, failures)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(ANNOTATIONS)
def test_every_annotation_the_model_accepts_passes_the_validator(annotation):
    check_accepted_pass_the_validator(annotation)


@pytest.mark.slow
@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(ANNOTATIONS)
def test_every_annotation_the_model_accepts_passes_the_validator_at_length(annotation):
    check_accepted_pass_the_validator(annotation)
