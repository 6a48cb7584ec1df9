"""A fingerprint of the running code, so that caches never outlive a deploy.

Cached HTML depends on the templates, on the Python that renders it and on the
hashed static file names; every node running the same release computes the
same fingerprint, so a shared Redis cache stays shared.
"""

import hashlib
from functools import cache
from pathlib import Path

from django.conf import settings


@cache
def code_fingerprint() -> str:
    digest = hashlib.sha256()
    roots = [Path(settings.BASE_DIR) / "reader", *map(Path, settings.TEMPLATES[0]["DIRS"])]
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.suffix in {".py", ".html"} and "migrations" not in path.parts:
                digest.update(path.relative_to(settings.BASE_DIR).as_posix().encode())
                digest.update(path.read_bytes())
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if manifest.exists():
        digest.update(manifest.read_bytes())
    return digest.hexdigest()[:12]
