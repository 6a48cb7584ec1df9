# Bibliographic metadata of an article, from its sidecar JSON (issue 20).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('reader', '0009_note_detached_section'),
    ]

    operations = [
        migrations.AddField(
            model_name='article',
            name='authors',
            field=models.JSONField(blank=True, default=list, help_text='[{"family": "Doe", "given": "Jane"}, ...]'),
        ),
        migrations.AddField(
            model_name='article',
            name='publication_date',
            field=models.CharField(blank=True, help_text='ISO 8601: YYYY, YYYY-MM or YYYY-MM-DD', max_length=10),
        ),
        migrations.AddField(
            model_name='article',
            name='publisher',
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AddField(
            model_name='article',
            name='doi',
            field=models.CharField(blank=True, max_length=200, verbose_name='DOI'),
        ),
        migrations.AddField(
            model_name='article',
            name='language',
            field=models.CharField(blank=True, help_text='A BCP 47 language tag, e.g. en or en-GB', max_length=35),
        ),
    ]
