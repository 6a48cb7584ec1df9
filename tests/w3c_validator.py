"""The W3C annotation model validator (``../shared/w3c-annotation-model/validate.py``), in process.

``validator()`` loads the script as a module once, or skips the test with the
reason when the shared folder is not beside the clone; in CI (``CI=true``, which
CI services set) that is a failure instead, so the tests cannot pass by skipping. ``must_failures(doc)``
returns the failed MUST lines for an annotation, an AnnotationCollection or an
AnnotationPage (the wrapper checked too, as ``--container`` does).
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import os
import sys
from functools import cache

import pytest

from tests.factories import ROOT

VALIDATE_PY = ROOT.parent / "shared" / "w3c-annotation-model" / "validate.py"


@cache
def _load():
    if not VALIDATE_PY.is_file():
        return None
    spec = importlib.util.spec_from_file_location("w3c_validate", VALIDATE_PY)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    suite = module.Suite(VALIDATE_PY.parent)
    return module, suite, suite.annotation_tests()


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes", "on"}


def validator():
    loaded = _load()
    if loaded is None:
        reason = f"W3C validator not found at {VALIDATE_PY.resolve()} (../shared beside the clone)"
        if in_ci():
            pytest.fail(f"{reason}; CI={os.environ['CI']} makes that a failure", pytrace=False)
        pytest.skip(reason)
    return loaded


# Results by document, for the validator that gave them: the property tests generate the same document
# many times over (in tests/annotations/test_model.py, some 400 checks of 160 documents).
_results: dict[tuple[object, str], tuple[int, list[str]]] = {}


def must_failures(doc) -> tuple[int, list[str]]:
    """(annotations checked, the failure lines) for ``doc``, as ``validate.py --container`` reports them."""
    module, suite, tests = validator()
    try:
        key = (suite, json.dumps(doc, allow_nan=False))
    except (TypeError, ValueError):
        return _must_failures(doc, module, suite, tests)
    if key not in _results:
        _results[key] = _must_failures(doc, module, suite, tests)
    checked, failures = _results[key]
    return checked, list(failures)


def _must_failures(doc, module, suite, tests) -> tuple[int, list[str]]:
    notes: list[str] = []
    annotations, collections, pages = module.extract(doc, notes)
    run = module.Run()
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        if collections:
            for where, obj in collections:
                module.check_object(obj, [suite.load_test(suite.root / module.COLLECTION_TEST)], run, f"[{where}]")
        if pages:
            for where, obj in pages:
                module.check_object(obj, [suite.load_test(suite.root / module.PAGE_TEST)], run, f"[{where}]")
        for index, (where, annotation) in enumerate(annotations, 1):
            module.check_object(annotation, tests, run, module.subject_label(index, len(annotations), where, annotation))
    return len(annotations), [line for line in output.getvalue().splitlines() if line.startswith("FAIL")]
