"""Record every annotation id ever given out (reader.models.AnnotationId), so that none is given out twice."""

import uuid

from django.db import migrations, models

BATCH = 2000


def record_existing_ids(apps, schema_editor):
    """The ids notes and annotations of other pages hold now, deleted ones (tombstones) included.

    An annotation of another page that shares its id with a note (two requests
    with the same ``Slug`` at once, before this release) could be neither read
    nor deleted, as the note answered for the id: it gets an id of its own.
    """
    AnnotationId = apps.get_model("reader", "AnnotationId")
    Note = apps.get_model("reader", "Note")
    ExternalAnnotation = apps.get_model("reader", "ExternalAnnotation")
    alias = schema_editor.connection.alias
    twins = ExternalAnnotation.objects.using(alias).filter(uuid__in=Note.objects.using(alias).values("uuid"))
    for pk in list(twins.values_list("pk", flat=True)):
        ExternalAnnotation.objects.using(alias).filter(pk=pk).update(uuid=uuid.uuid4())
    for model_name in ("Note", "ExternalAnnotation"):
        model = apps.get_model("reader", model_name)
        uuids = model.objects.using(alias).order_by().values_list("uuid", flat=True).iterator(chunk_size=BATCH)
        batch = []
        for value in uuids:
            batch.append(AnnotationId(uuid=value))
            if len(batch) == BATCH:
                AnnotationId.objects.using(alias).bulk_create(batch, ignore_conflicts=True)
                batch = []
        if batch:
            AnnotationId.objects.using(alias).bulk_create(batch, ignore_conflicts=True)


class Migration(migrations.Migration):

    dependencies = [
        ("reader", "0006_annotation_protocol"),
    ]

    operations = [
        migrations.CreateModel(
            name="AnnotationId",
            fields=[
                ("uuid", models.UUIDField(editable=False, primary_key=True, serialize=False)),
            ],
        ),
        migrations.RunPython(record_existing_ids, migrations.RunPython.noop),
    ]
