# Feeds (issue 20): the secret of a reader's notes feed, and each import that changed an article.
# Depends on 0010_article_metadata (made in parallel) so the chain has one leaf; renumber to 0011 when merging.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('reader', '0010_article_metadata'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ArticleRevision',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('version', models.PositiveIntegerField()),
                ('created', models.BooleanField(default=False, help_text='The import that first published the article.')),
                ('imported_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('summary', models.TextField()),
                ('counts', models.JSONField(default=dict)),
                ('article', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='revisions', to='reader.article')),
            ],
            options={
                'ordering': ['-imported_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='FeedKey',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('lookup', models.CharField(max_length=22, unique=True)),
                ('created', models.DateTimeField(default=django.utils.timezone.now)),
                ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='feed_key', to=settings.AUTH_USER_MODEL)),
            ],
        ),
    ]
