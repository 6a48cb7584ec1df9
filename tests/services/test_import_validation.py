"""What the importer accepts besides the text: slug, title, sidecar values, values too long for their
columns; one transaction per file in a folder import; unreadable glossary markers (reader.services.articles,
the import_article command)."""

import json
import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DataError

from reader.models import Article, GlossaryTerm
from reader.services.articles import ArticleInputError, article_import
from reader.text.parsing import ArticleFormatError
from tests.factories import ROOT, SEED_PATH, import_seed, seed_text

pytestmark = pytest.mark.django_db

MINIMAL = "Fundamentals\nOne sentence here.\nIntermediate\nTwo sentences here.\nAcademic\nThree sentences here.\n"


def snapshot():
    return sorted(Article.objects.values_list("pk", "slug", "title", "version", "source_sha256"))


def run_import(*args) -> tuple[str, str, CommandError | None]:
    out, err = StringIO(), StringIO()
    try:
        call_command("import_article", *map(str, args), stdout=out, stderr=err)
    except CommandError as error:
        return out.getvalue(), err.getvalue(), error
    return out.getvalue(), err.getvalue(), None


def write(path, text=MINIMAL, **sidecar):
    path.write_text(text, encoding="utf-8")
    if sidecar:
        path.with_suffix(".json").write_text(json.dumps(sidecar), encoding="utf-8")
    return path


# --- slug and title -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        ("--slug", "Bad Slug/x", "is not a valid slug"),
        ("--slug", "a" * 121, "the slug is 121 characters long; at most 120"),
        ("--slug", "peptides\x00", "is not a valid slug"),
        ("--slug", "café", "is not a valid slug"),
        ("--slug", "", "the slug is empty"),
        ("--title", "t" * 301, "the title is 301 characters long; at most 300"),
        ("--title", "Nul\x00title", "control character (\\x00 at position 4)"),
        ("--title", "Red \x1b[31mtitle", "control character (\\x1b at position 5)"),
        ("--title", "Two\nlines", "control character (\\x0a at position 4)"),
        ("--title", "Spoof \u202eevil", "control character (\\u202e at position 7)"),
        ("--title", "   ", "the title is empty"),
    ],
)
def test_a_bad_slug_or_title_is_refused_and_nothing_changes(client, tmp_path, option, value, expected):
    import_seed()
    before = snapshot()
    source = write(tmp_path / "article.txt", seed_text())
    out, err, error = run_import(source, option, value)
    assert error is not None and "could not be imported" in str(error) and "article.txt" in str(error)
    assert expected in err
    assert "nothing was changed" in err
    assert "created" not in out and "updated" not in out
    assert snapshot() == before
    # The escape sequence is shown, never sent to the terminal.
    assert "\x1b" not in err and "\x00" not in err
    assert client.get("/").status_code == 200


def test_the_longest_slug_and_title_are_accepted(tmp_path):
    source = write(tmp_path / "article.txt")
    _, _, error = run_import(source, "--slug", "s" * 120, "--title", "T" * 300)
    assert error is None
    assert Article.objects.get(slug="s" * 120).title == "T" * 300


def test_the_service_refuses_before_writing():
    with pytest.raises(ArticleInputError) as caught:
        article_import(source=MINIMAL, slug="Bad Slug/x", title="x" * 301)
    assert len(caught.value.problems) == 2
    assert not Article.objects.exists()


def test_a_bad_slug_in_a_sidecar_is_refused(tmp_path):
    source = write(tmp_path / "article.txt", slug="has space", title="Fine")
    _, err, error = run_import(source)
    assert error is not None and "is not a valid slug" in err
    assert not Article.objects.exists()


@pytest.mark.parametrize("sidecar", [{"slug": 5}, {"title": ["a"]}])
def test_a_sidecar_value_that_is_not_a_string_is_refused(tmp_path, sidecar):
    source = write(tmp_path / "article.txt", **sidecar)
    _, err, error = run_import(source)
    assert error is not None and "must be a string" in err
    assert not Article.objects.exists()


def test_a_file_name_that_is_no_slug_is_refused(tmp_path):
    source = write(tmp_path / "∞∞.txt")  # slugify() leaves nothing
    _, err, error = run_import(source)
    assert error is not None and "the slug is empty" in err
    assert not Article.objects.exists()


def test_messages_are_plain_text(tmp_path):
    source = write(tmp_path / "article.txt")
    out, _, error = run_import(source, "--slug", "tom-and-jerry", "--title", 'Tom & Jerry\'s "<b>best</b>"')
    assert error is None
    assert 'Tom & Jerry\'s "<b>best</b>" (tom-and-jerry): created' in out
    _, err, error = run_import(source, "--slug", "<b>&'")
    assert "\"<b>&'\" is not a valid slug" in err
    for text in (out, err, str(error)):
        assert "&amp;" not in text and "&#x27;" not in text and "&lt;" not in text and "&quot;" not in text


def test_the_command_exits_with_status_1_and_no_traceback(tmp_path):
    """From the shell, as an operator runs it. The checks run before the database is touched,
    so an empty database file will do."""
    source = write(tmp_path / "article.txt")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(DJANGO_DEBUG="1", DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    result = subprocess.run(
        [sys.executable, "manage.py", "import_article", str(source), "--slug", "Bad Slug/x"],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert '"Bad Slug/x" is not a valid slug' in result.stderr
    assert "created" not in result.stdout


# --- values from the text that do not fit their columns ------------------------------------------


def test_an_overlong_reference_field_is_refused_with_its_line():
    """On PostgreSQL this was a DataError traceback (varchar(20)); on SQLite it was stored."""
    reference = "- Smith, J. “A title.” Journal of Things, vol. " + "9" * 25 + ", no. 1, 2020, pp. 1-2."
    source = MINIMAL + "References\n" + reference + "\n"
    with pytest.raises(ArticleFormatError) as caught:
        article_import(source=source, slug="long-volume", title="Long volume")
    assert caught.value.errors[0][0] == 8
    assert "volume is 25 characters long, at most 20" in str(caught.value)
    assert not Article.objects.exists()


def test_an_overlong_glossary_term_is_refused_with_its_line():
    word = "x" * 210
    source = MINIMAL.replace("Two sentences here.", f"A {word} Meaning ∞ {word.capitalize()} is long. Then more.")
    with pytest.raises(ArticleFormatError) as caught:
        article_import(source=source, slug="long-term", title="Long term")
    assert caught.value.errors[0][0] == 4
    assert not Article.objects.exists()


# --- a folder: one transaction per file ----------------------------------------------------------


def test_a_folder_imports_the_good_files_and_names_the_bad_ones(tmp_path):
    write(tmp_path / "a-good.txt")
    write(tmp_path / "b-bad-slug.txt", slug="Bad Slug/x", title="Bad")
    write(tmp_path / "c-malformed.txt", "Preamble\nFundamentals\nText.\n")
    write(tmp_path / "d-good.txt", title="D title")
    out, err, error = run_import(tmp_path)
    assert error is not None
    assert str(error) == (
        "2 of 4 article(s) could not be imported, nothing was changed for them: "
        "b-bad-slug.txt, c-malformed.txt; the other 2 were imported."
    )
    assert sorted(Article.objects.values_list("slug", "title")) == [("a-good", "A good"), ("d-good", "D title")]
    assert "b-bad-slug.txt: not imported" in err and "c-malformed.txt: cannot be read as an article" in err
    assert out.count(": created") == 2


def test_a_database_error_in_one_file_rolls_back_only_that_file(tmp_path, monkeypatch):
    import reader.services.articles as services

    write(tmp_path / "a.txt")
    write(tmp_path / "b.txt", MINIMAL + "References\n- Smith, J. “A title.” Journal, vol. 1, no. 1, 2020, pp. 1-2.\n")
    write(tmp_path / "c.txt")
    real = services._sync_references

    def refuse_b(article, parsed):
        if article.slug == "b":
            raise DataError("value too long for type character varying(20)")
        return real(article, parsed)

    monkeypatch.setattr(services, "_sync_references", refuse_b)
    _, err, error = run_import(tmp_path)
    assert error is not None and "b.txt" in str(error) and "a.txt" not in str(error)
    assert "b.txt: the database refused the import (value too long for type character varying(20))" in err
    assert sorted(Article.objects.values_list("slug", flat=True)) == ["a", "c"]


def test_a_single_bad_file_still_exits_with_an_error(tmp_path):
    source = write(tmp_path / "broken.txt", "Preamble\n")
    _, err, error = run_import(source)
    assert error is not None and "1 of 1 article(s) could not be imported" in str(error)
    assert "line 1:" in err


# --- unreadable glossary markers ------------------------------------------------------------------


def test_a_marker_without_a_definition_creates_no_term_and_is_reported(tmp_path):
    source = write(
        tmp_path / "markers.txt",
        MINIMAL.replace("Two sentences here.", "Blood sugar is set by insulin Meaning ∞")
        .replace("Three sentences here.", "X Meaning ∞ Meaning ∞ Y. The liver stores glucose Meaning ∞ Glucose is a sugar. again."),
    )
    out, _, error = run_import(source)
    assert error is None
    assert list(GlossaryTerm.objects.values_list("key", flat=True)) == ["glucose"]
    lines = out.splitlines()
    unrepaired = lines.index("  irregular spots not repaired: 2")
    assert lines[unrepaired + 1].startswith("    line 4: [empty-definition]")
    assert lines[unrepaired + 2].startswith("    line 6: [repeated-marker]")
    assert "  irregular spots repaired: 0" in lines


def test_the_seed_still_imports_from_its_folder():
    _, _, error = run_import(SEED_PATH.parent)
    assert error is None
    assert Article.objects.count() >= 1
