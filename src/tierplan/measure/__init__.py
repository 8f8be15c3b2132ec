"""Measuring the running app (issue 14): its real usage per component, in the plan's vocabulary.

Layout: model.py (Measurement, Source, the figures' units), secrets.py (DSNs shown redacted),
postgres.py / redis_source.py / access_log.py / prometheus.py / usage_csv.py (one source each, all
read-only), collect.py (the sources of one ``tierplan measure`` filed under the profile's
components), history.py (the SQLite history). Forecasts from the history: ../forecast.py.
"""
