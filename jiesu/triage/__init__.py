"""Smart triage (issue 4): category, place, urgency, handling unit and duplicates.

Entry point: :func:`jiesu.triage.service.suggest`. Every part is pure Python over
data files in ``jiesu/triage/data/``; nothing here touches the database.
"""
