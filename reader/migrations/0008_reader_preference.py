"""A reader's preferences kept in the account: single-key shortcuts on or off (issue #19)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("reader", "0007_annotation_ids"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ReaderPreference",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "single_key_shortcuts",
                    models.BooleanField(
                        default=True, help_text="Shortcuts of one character key (h, n, j, k, ?…); off for WCAG 2.1.4."
                    ),
                ),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=models.deletion.CASCADE, related_name="reader_preference", to=settings.AUTH_USER_MODEL
                    ),
                ),
            ],
        ),
    ]
