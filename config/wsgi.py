import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()

# What importing Django and the app allocated lives as long as the process:
# move it out of the collector's reach, so that a full collection scans only
# what requests allocate (measured: a 25 ms pause every ~400 note creations).
# Collect first, so that start-up's garbage is not kept for good.
gc.collect()
gc.freeze()
