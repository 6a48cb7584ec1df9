from django.apps import AppConfig


class ReaderConfig(AppConfig):
    name = "reader"
    verbose_name = "Tiered Reader"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from reader.services.preferences import copy_to_session

        user_logged_in.connect(copy_to_session, dispatch_uid="reader-preferences-to-session")
