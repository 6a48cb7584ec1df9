"""``manage.py annotation_token USERNAME [--name NAME]``: make a personal access token and print it.

The token is the last line of the output, alone, so that scripts can take it
with ``| tail -n 1``. It is shown only this once; only its hash is stored.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from reader.errors import ReaderInputError
from reader.services import tokens as token_services


class Command(BaseCommand):
    help = "Make a personal access token for the annotation protocol (/annotations/) and print it on the last line."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="Command line", help='what the token is for (default "Command line")')

    def handle(self, *args, username: str, name: str, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        try:
            new = token_services.token_create(user=user, name=name)
        except ReaderInputError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Token “{new.token.name}” for {username}: send it as Authorization: Bearer <token> to /annotations/.")
        self.stdout.write("It is shown only now; revoke it at /accounts/tokens/.")
        self.stdout.write(new.secret)
