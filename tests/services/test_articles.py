import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from reader.models import Article, Author, Block, Definition, GlossaryTerm, Journal, Occurrence, Part, Reference
from reader.text.parsing import ArticleFormatError
from tests.factories import SEED_PATH, import_seed, make_note, seed_text

pytestmark = pytest.mark.django_db


def snapshot():
    return {
        "blocks": sorted(Block.objects.values_list("pk", "anchor", "position", "text")),
        "terms": sorted(GlossaryTerm.objects.values_list("pk", "slug", "name")),
        "definitions": Definition.objects.count(),
        "occurrences": Occurrence.objects.count(),
        "references": sorted(Reference.objects.values_list("pk", "title")),
        "version": list(Article.objects.values_list("version", flat=True)),
    }


def test_seed_import_builds_the_relational_model():
    report = import_seed()
    article = Article.objects.get(slug="peptides")
    assert report.created and report.changed
    assert [p.slug for p in article.parts.all()] == ["fundamentals", "intermediate", "academic", "reflection"]
    assert list(article.parts.tiers().values_list("slug", flat=True)) == ["fundamentals", "intermediate", "academic"]
    counts = {
        part.slug: {kind: part.blocks.filter(kind=kind).count() for kind in Block.Kind.values}
        for part in article.parts.all()
    }
    assert counts["fundamentals"] == {"heading": 2, "paragraph": 14, "takeaway": 1, "list_item": 0, "table": 0}
    assert counts["intermediate"] == {"heading": 5, "paragraph": 18, "takeaway": 1, "list_item": 3, "table": 1}
    assert counts["academic"] == {"heading": 2, "paragraph": 14, "takeaway": 1, "list_item": 3, "table": 1}
    assert counts["reflection"] == {"heading": 1, "paragraph": 2, "takeaway": 0, "list_item": 0, "table": 0}
    assert Reference.objects.filter(article=article).count() == 7
    assert Definition.objects.filter(term__article=article, marked=True).count() == 22
    assert Definition.objects.filter(term__article=article, marked=False).count() == 1
    jcem = Journal.objects.get(name="The Journal of Clinical Endocrinology & Metabolism")
    assert jcem.references.count() == 4
    first = Reference.objects.get(article=article, position=1)
    assert [(a.author.family, a.author.given) for a in first.authorships.order_by("position")] == [
        ("Møller", "N."),
        ("Jørgensen", "J. O."),
    ]
    assert Author.objects.filter(family="Bengtsson", given="B. Å.").exists()


def test_every_block_has_a_unique_anchor_within_its_part():
    import_seed()
    for part in Part.objects.all():
        anchors = list(part.blocks.values_list("anchor", flat=True))
        assert len(anchors) == len(set(anchors))
        assert all(anchors)


def test_defining_and_cross_tier_occurrences():
    import_seed()
    term = GlossaryTerm.objects.get(slug="insulin-resistance")
    parts = list(term.occurrences.values_list("block__part__slug", "defining"))
    assert ("fundamentals", True) in parts
    assert ("academic", False) in parts
    growth_hormone = GlossaryTerm.objects.get(slug="growth-hormone")
    assert growth_hormone.definitions.count() == 2
    assert growth_hormone.definitions.filter(marked=False, text__startswith="Growth hormone modulators").exists()


def test_reimport_of_the_same_file_changes_nothing():
    import_seed()
    before = snapshot()
    report = import_seed()
    assert not report.changed
    assert snapshot() == before


def test_edited_reimport_keeps_ids_of_unchanged_blocks():
    import_seed()
    before = {b.text: (b.pk, b.anchor) for b in Block.objects.all()}
    edited_paragraph = "Every cell in your body requires fuel to perform its designated task."
    source = seed_text().replace(edited_paragraph, "Each cell in your body needs fuel to do its job.")
    source = source.replace(
        "Understanding this dynamic is the first step toward reclaiming your vitality.\n",
        "Understanding this dynamic is the first step toward reclaiming your vitality.\n"
        "A brand new paragraph, inserted to shift every position after it. It has two sentences.\n",
    )
    report = import_seed(source)
    assert report.changed
    assert report.blocks_added == 2 and report.blocks_removed == 1
    after = {b.text: (b.pk, b.anchor) for b in Block.objects.all()}
    unchanged = set(before) & set(after)
    assert len(unchanged) == len(before) - 1
    assert all(before[text] == after[text] for text in unchanged)
    assert Article.objects.get().version == 2
    fundamentals = Part.objects.get(slug="fundamentals")
    positions = list(fundamentals.blocks.values_list("position", flat=True))
    assert positions == list(range(len(positions)))


def notes_snapshot():
    from reader.models import Note

    return sorted(Note.objects.values_list("pk", "body", "exact", "start", "end", "status"))


def test_malformed_source_changes_nothing(reader_user):
    import_seed()
    make_note(reader_user, Article.objects.get(), "intermediate", "This pulsatile release is a key distinction.", body="kept")
    before, notes_before = snapshot(), notes_snapshot()
    with pytest.raises(ArticleFormatError):
        import_seed("Just some text\nwith no parts at all.\n")
    assert snapshot() == before and notes_snapshot() == notes_before


def test_import_failing_half_way_rolls_back_everything(reader_user, monkeypatch):
    import reader.services.articles

    import_seed()
    make_note(reader_user, Article.objects.get(), "intermediate", "This pulsatile release is a key distinction.", body="kept")
    before, notes_before = snapshot(), notes_snapshot()

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    # Blocks and glossary are already rewritten when references fail.
    monkeypatch.setattr(reader.services.articles, "_sync_references", fail)
    with pytest.raises(RuntimeError):
        import_seed(seed_text().replace("This pulsatile release is a key distinction.", "Edited."))
    assert snapshot() == before and notes_snapshot() == notes_before


def test_command_prints_the_report(tmp_path):
    out = StringIO()
    call_command("import_article", str(SEED_PATH), stdout=out)
    report = out.getvalue()
    assert "Peptide Therapies and Insulin Sensitivity (peptides-insulin-sensitivity): created" in report
    assert "Intermediate" in report and "references: 7" in report
    assert "irregular spots repaired" in report
    out = StringIO()
    call_command("import_article", str(SEED_PATH.parent), stdout=out)
    assert ": unchanged" in out.getvalue()


def test_command_options_override_sidecar(tmp_path):
    source = tmp_path / "my-article.txt"
    source.write_text(seed_text(), encoding="utf-8")
    call_command("import_article", str(source), "--slug", "custom", "--title", "Custom title", stdout=StringIO())
    assert Article.objects.get(slug="custom").title == "Custom title"


def test_command_reads_sidecar(tmp_path):
    source = tmp_path / "other.txt"
    source.write_text(seed_text(), encoding="utf-8")
    source.with_suffix(".json").write_text(json.dumps({"title": "From sidecar", "slug": "side"}))
    call_command("import_article", str(source), stdout=StringIO())
    assert Article.objects.get(slug="side").title == "From sidecar"


def test_command_explains_a_malformed_file_with_line_numbers(tmp_path):
    source = tmp_path / "broken.txt"
    source.write_text("Preamble that should not be here\n\nFundamentals\nText.\n", encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("import_article", str(source), stdout=StringIO(), stderr=err)
    assert not Article.objects.exists()
    assert "could not be imported" in str(excinfo.value)
    assert "line 1:" in err.getvalue()


def test_command_rejects_missing_path():
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_article", "/nonexistent/article.txt")
