"""config/wsgi.py: the WSGI entry point gunicorn loads."""

import os
import subprocess
import sys

from tests.factories import ROOT


def test_the_wsgi_module_freezes_what_startup_allocated():
    # In a child process: freezing this test process's objects would keep them for the whole run.
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_DEBUG": "1"}
    script = "import gc, config.wsgi; print(gc.get_freeze_count(), callable(config.wsgi.application))"
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    frozen, callable_app = out.stdout.split()
    assert int(frozen) > 10_000 and callable_app == "True"
