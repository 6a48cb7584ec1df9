"""``manage.py import_article PATH [--slug] [--title]``.

PATH is an article source (``.txt``) or a folder of them. Title and slug come
from the options, else from a sidecar ``<name>.json`` beside the file
(``{"title": ..., "slug": ...}``), else from the file name. The sidecar may also
give the bibliographic keys ``authors``, ``date``, ``publisher``, ``doi`` and
``language`` (``reader.metadata.article_metadata_validate``); what it gives
replaces what is stored, and what it leaves out is stored as unknown.

Slug and title are checked before anything is written (a Django slug of at most
120 characters; a title of at most 300 characters without control characters).
Each file is imported in its own transaction: in a folder, a file that fails
changes nothing, the others are still imported, and the command exits with
status 1 at the end, naming the files that failed.
"""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils.text import slugify

from reader.metadata import MetadataError, article_metadata_validate
from reader.services.articles import ArticleInputError, article_import
from reader.text.parsing import ArticleFormatError


class Command(BaseCommand):
    help = "Import an article source file (or every .txt file in a folder) and print a report."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--slug", help="URL slug: letters, digits, hyphens, underscores (default: sidecar or file name)")
        parser.add_argument("--title", help="Article title (default: sidecar or file name)")
        parser.add_argument(
            "--labels", type=Path,
            help="Alignment label file for a single article (default: <ALIGNMENT_LABELS_DIR>/<slug>.json if present)",
        )

    def handle(self, *args, path: Path, slug: str | None, title: str | None, labels: Path | None = None, **options):
        self.labels_file = labels
        if path.is_dir():
            files = sorted(path.glob("*.txt"))
            if not files:
                raise CommandError(f"{path}: no .txt article sources in this folder.")
            if slug is not None or title is not None or labels is not None:
                raise CommandError("--slug, --title and --labels apply to a single file, not a folder.")
        elif path.is_file():
            files = [path]
        else:
            raise CommandError(f"{path}: no such file or folder.")

        failed: list[Path] = []
        for file in files:
            try:
                self._import_file(file, slug=slug, title=title)
            except CommandError as error:
                failed.append(file)
                self.stderr.write(str(error))
        if failed:
            names = ", ".join(file.name for file in failed)
            imported = f"; the other {len(files) - len(failed)} were imported" if len(failed) < len(files) else ""
            raise CommandError(
                f"{len(failed)} of {len(files)} article(s) could not be imported, nothing was changed for them: "
                f"{names}{imported}."
            )

    def _import_file(self, file: Path, *, slug: str | None, title: str | None) -> None:
        meta = self._sidecar(file)
        try:
            metadata = article_metadata_validate(meta)
        except MetadataError as error:
            problems = "\n".join(f"  {problem}" for problem in error.problems)
            raise CommandError(f"{file.with_suffix('.json')}: not imported, nothing was changed:\n{problems}") from error
        if slug is None:
            slug = meta["slug"] if meta.get("slug") is not None else slugify(file.stem)
        if title is None:
            title = meta["title"] if meta.get("title") is not None else file.stem.replace("-", " ").capitalize()
        try:
            source = file.read_text(encoding="utf-8")
        except UnicodeDecodeError as error:
            raise CommandError(f"{file}: not UTF-8 text ({error}).") from error
        try:
            # article_import checks slug and title, then parses, before it writes anything,
            # and writes inside one transaction of its own.
            report = article_import(
                source=source, slug=slug, title=title, source_name=file.name, labels=self._labels(slug),
                metadata=metadata,
            )
        except ArticleInputError as error:
            problems = "\n".join(f"  {problem}" for problem in error.problems)
            raise CommandError(f"{file}: not imported, nothing was changed:\n{problems}") from error
        except ArticleFormatError as error:
            raise CommandError(f"{file}: cannot be read as an article:\n{error}") from error
        except DatabaseError as error:
            # A last resort: anything the checks above missed is rolled back with the file's transaction.
            reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            raise CommandError(
                f"{file}: the database refused the import ({reason}); nothing was changed."
            ) from error
        for line in report.lines():
            self.stdout.write(line)

    def _labels(self, slug: str) -> dict | None:
        """The article's alignment labels, so the report measures the alignment against them."""
        path = self.labels_file
        if path is None:
            folder = getattr(settings, "ALIGNMENT_LABELS_DIR", None)
            path = Path(folder) / f"{slug}.json" if folder else None
            if path is None or not path.is_file():
                return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise CommandError(f"{path}: cannot read the alignment labels ({error}); nothing was imported.") from error
        if not isinstance(data, dict):
            raise CommandError(f"{path}: expected a JSON object with 'labels'; nothing was imported.")
        return data

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
        for key in ("title", "slug"):
            if meta.get(key) is not None and not isinstance(meta[key], str):
                raise CommandError(f"{sidecar}: '{key}' must be a string.")
        return meta
