"""Production settings (config.settings, driven by the same DJANGO_* variables),
with STATIC_ROOT moved to the benchmark's own temporary folder so that a run
never writes into the checkout's staticfiles/."""

import os
from pathlib import Path

from config.settings import *  # noqa: F401,F403
from config.settings import STATIC_ROOT as _STATIC_ROOT

STATIC_ROOT = Path(os.environ["BENCH_STATIC_ROOT"]) if os.environ.get("BENCH_STATIC_ROOT") else _STATIC_ROOT
