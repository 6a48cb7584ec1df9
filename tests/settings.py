"""Settings for the test suite: the project's settings, in development mode, with fast password hashing.

Subprocesses that a test starts (gunicorn nodes, ``check --deploy``) use
``config.settings`` with the environment they are given.
"""

import os

os.environ.setdefault("DJANGO_DEBUG", "1")

from config.settings import *  # noqa: E402,F403

# Hashing a password with PBKDF2 takes ~0.3 s; the suite signs in hundreds of times.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
