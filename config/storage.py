"""Static files storage for production."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """Hashed, compressed static files, with our JavaScript module imports rewritten to the hashed names.

    reader.js imports its modules by relative name; without the rewrite the
    browser would fetch them unhashed, which whitenoise can only cache for a
    minute. With it, every file a page loads is immutable and cached for a year.
    Third-party files (django-htmx's extensions import modules that it does not
    ship) are left as they are.
    """

    support_js_module_import_aggregation = True
    OWN_PREFIXES = ("js/", "css/")

    def url_converter(self, name, hashed_files, template=None):
        if not name.startswith(self.OWN_PREFIXES):
            return lambda match: match.group(0)
        return super().url_converter(name, hashed_files, template)
