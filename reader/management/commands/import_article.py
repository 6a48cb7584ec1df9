"""``manage.py import_article PATH [--slug] [--title]``.

PATH is an article source (``.txt``) or a folder of them. Title and slug come
from the options, else from a sidecar ``<name>.json`` beside the file
(``{"title": ..., "slug": ...}``), else from the file name.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.text import slugify

from reader.services.articles import article_import
from reader.text.parsing import ArticleFormatError


class Command(BaseCommand):
    help = "Import an article source file (or every .txt file in a folder) and print a report."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--slug", help="URL slug (default: sidecar or file name)")
        parser.add_argument("--title", help="Article title (default: sidecar or file name)")

    def handle(self, *args, path: Path, slug: str | None, title: str | None, **options):
        if path.is_dir():
            files = sorted(path.glob("*.txt"))
            if not files:
                raise CommandError(f"{path}: no .txt article sources in this folder.")
            if slug or title:
                raise CommandError("--slug and --title apply to a single file, not a folder.")
        elif path.is_file():
            files = [path]
        else:
            raise CommandError(f"{path}: no such file or folder.")

        failures = 0
        for file in files:
            try:
                self._import_file(file, slug=slug, title=title)
            except CommandError as error:
                failures += 1
                self.stderr.write(str(error))
        if failures:
            raise CommandError(f"{failures} of {len(files)} article(s) could not be imported; nothing was changed for them.")

    def _import_file(self, file: Path, *, slug: str | None, title: str | None) -> None:
        meta = self._sidecar(file)
        slug = slug or meta.get("slug") or slugify(file.stem)
        title = title or meta.get("title") or file.stem.replace("-", " ").capitalize()
        try:
            source = file.read_text(encoding="utf-8")
        except UnicodeDecodeError as error:
            raise CommandError(f"{file}: not UTF-8 text ({error}).") from error
        try:
            report = article_import(source=source, slug=slug, title=title, source_name=file.name)
        except ArticleFormatError as error:
            raise CommandError(f"{file}: cannot be read as an article:\n{error}") from error
        for line in report.lines():
            self.stdout.write(line)

    def _sidecar(self, file: Path) -> dict:
        sidecar = file.with_suffix(".json")
        if not sidecar.exists():
            return {}
        try:
            meta = json.loads(sidecar.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise CommandError(f"{sidecar}: not valid JSON ({error}).") from error
        if not isinstance(meta, dict):
            raise CommandError(f"{sidecar}: expected a JSON object with 'title' and optionally 'slug'.")
        return meta
