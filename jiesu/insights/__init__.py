"""Insights: the three rates (response, resolution, satisfaction), rankings, reports."""
