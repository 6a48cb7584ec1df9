from django.apps import AppConfig


class ReaderConfig(AppConfig):
    name = "reader"
    verbose_name = "Tiered Reader"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_save

        from reader import page_cache
        from reader.models import Note
        from reader.services.preferences import copy_to_session

        user_logged_in.connect(copy_to_session, dispatch_uid="reader-preferences-to-session")
        post_save.connect(page_cache.note_saved, sender=Note, dispatch_uid="reader-notes-version")
