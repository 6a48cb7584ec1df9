"""Production static files: every file a page loads has a hashed name (so it can be cached for a year)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_collectstatic_rewrites_module_imports_to_hashed_names(tmp_path):
    env = {**os.environ, "DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "collectstatic-test", "DJANGO_STATIC_ROOT": str(tmp_path),
           "DJANGO_SETTINGS_MODULE": "config.settings"}
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    modules = [p for p in (tmp_path / "js").glob("*.js") if re.search(r"\.[0-9a-f]{12}\.js$", p.name)]
    assert {re.sub(r"\.[0-9a-f]{12}\.js$", ".js", p.name) for p in modules} >= {"reader.js", "annotate.js", "tier-switcher.js"}
    for module in modules:
        for imported in re.findall(r'(?:from|import)\s*"(\./[^"]+)"', module.read_text()):
            assert re.search(r"\.[0-9a-f]{12}\.js$", imported), f"{module.name} imports {imported} by its unhashed name"
            assert (module.parent / imported).is_file()
