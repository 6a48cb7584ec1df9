"""Cross-tier links written by the import: recomputed every time, stable ids, editors' pins and deletions hold."""

import json

import pytest
from django.conf import settings

from reader.admin import CounterpartAdmin
from reader.models import Block, Counterpart, CounterpartRejection
from tests.factories import edited_seed, import_seed

pytestmark = pytest.mark.django_db



def block_starting(article, tier: str, prefix: str) -> Block:
    return Block.objects.get(part__article=article, part__slug=tier, text__startswith=prefix)


def some_link(article) -> Counterpart:
    """The first Fundamentals passage's link to Academic."""
    return (
        Counterpart.objects.filter(source_block__part__article=article, source_block__part__slug="fundamentals", scope="block", target_tier="academic")
        .order_by("source_block__position")
        .first()
    )


def test_every_link_points_at_another_tier_once_per_scope(seed_article):
    links = list(Counterpart.objects.select_related("source_block__part", "target_block__part"))
    assert len(links) > 40
    for link in links:
        assert link.source_block.part.slug != link.target_block.part.slug
        assert link.target_tier == link.target_block.part.slug
        assert link.source_block.part.kind == "tier" and link.target_block.part.kind == "tier"
    keys = [(l.source_block_id, l.scope, l.target_tier) for l in links]
    assert len(keys) == len(set(keys))
    assert {l.scope for l in links} == {"block", "section"}


def test_section_links_join_first_blocks_of_sections(seed_article):
    for link in Counterpart.objects.filter(scope="section").select_related("source_block", "target_block"):
        for block in (link.source_block, link.target_block):
            previous = Block.objects.filter(part_id=block.part_id, position=block.position - 1).first()
            assert block.kind == "heading" or previous is None


def test_a_known_passage_has_its_counterpart(seed_article):
    # Both tell how excess glucose, insulin and fat in the viscera feed inflammation.
    source = block_starting(seed_article, "fundamentals", "Concurrently, the excess glucose and insulin")
    link = Counterpart.objects.get(source_block=source, scope="block", target_tier="academic")
    assert link.target_block.text.startswith("Concurrently, the persistent lipolytic effect of GH")
    assert link.shared_terms


def test_unchanged_passages_keep_their_link_ids_when_the_article_changes(seed_article):
    before = {
        (l.source_block_id, l.scope, l.target_tier): (l.pk, l.target_block_id) for l in Counterpart.objects.all()
    }
    report = import_seed(edited_seed(("This pulsatile release is a key distinction.", "This pulsatile release is the key distinction.")))
    assert report.changed and report.counterparts.kept > 0
    after = {
        (l.source_block_id, l.scope, l.target_tier): (l.pk, l.target_block_id) for l in Counterpart.objects.all()
    }
    same = [key for key in before if key in after and before[key][1] == after[key][1]]
    assert len(same) > 0.8 * len(before)
    assert all(before[key][0] == after[key][0] for key in same)


def test_a_pinned_link_survives_reimport(seed_article):
    link = some_link(seed_article)
    source = link.source_block
    other = Block.objects.filter(part__article=seed_article, part__slug="academic").exclude(pk=link.target_block_id).first()
    link.target_block, link.pinned = other, True
    link.save()
    import_seed(edited_seed(("This pulsatile release is a key distinction.", "This pulsatile release matters.")))
    link.refresh_from_db()
    assert link.target_block_id == other.pk and link.pinned


def test_an_unpinned_correction_is_recomputed(seed_article):
    link = some_link(seed_article)
    source = link.source_block
    right = link.target_block_id
    link.target_block = Block.objects.filter(part__article=seed_article, part__slug="academic").exclude(pk=right).first()
    link.save()
    import_seed(edited_seed(("This pulsatile release is a key distinction.", "This pulsatile release matters.")))
    link.refresh_from_db()
    assert link.target_block_id == right


def test_a_link_an_editor_deletes_stays_deleted(seed_article, rf, admin_user):
    link = some_link(seed_article)
    source = link.source_block
    request = rf.post("/admin/")
    request.user = admin_user
    CounterpartAdmin(Counterpart, None).delete_model(request, link)
    assert CounterpartRejection.objects.filter(source_block=source).exists()
    report = import_seed(edited_seed(("This pulsatile release is a key distinction.", "This pulsatile release matters.")))
    assert report.counterparts.rejected == 1
    assert not Counterpart.objects.filter(source_block=source, scope="block", target_tier="academic").exists()


def test_an_unchanged_source_is_realigned_when_the_links_differ(seed_article):
    # As after a change of the aligner (or an article imported before alignment).
    Counterpart.objects.all().delete()
    version = seed_article.version
    report = import_seed()
    assert not report.changed and report.counterparts.added > 40
    seed_article.refresh_from_db()
    assert seed_article.version == version + 1
    # And once aligned, an unchanged file changes nothing: no link moves, pages stay cached.
    again = import_seed().counterparts
    assert not again.changed and again.kept > 40
    seed_article.refresh_from_db()
    assert seed_article.version == version + 1


def test_the_import_report_measures_the_alignment_against_labels(db):
    labels = json.loads((settings.ALIGNMENT_LABELS_DIR / "peptides-insulin-sensitivity.json").read_text())
    lines = import_seed(labels=labels).lines()
    start = lines.index("  alignment against the labels (precision@1, coverage):")
    assert lines[start + 1].startswith("    FUN -> INT  precision@1 0.")
    assert len([line for line in lines if "precision@1" in line]) == 7
    broken = {"labels": [{"tier": "fundamentals", "prefix": "No block starts so", "target_tier": "academic",
                          "accepted": [], "reason": "r"}]}
    assert any("the labels do not fit this article" in line for line in import_seed(labels=broken).lines())


def test_the_import_report_prints_the_section_alignment(db):
    lines = import_seed().lines()
    assert any("section alignment" in line for line in lines)
    assert any("(opening)" in line for line in lines)


def test_the_summary_is_the_opening_of_fundamentals(seed_article):
    assert seed_article.summary.startswith("The sensation is a familiar one for many.")
    assert len(seed_article.summary) <= 240
