"""`make bench`: load-test the tier page under gunicorn with wrk (see bench/run.py)."""
