"""Notifications: an in-app inbox per user, and a pluggable SMS/WeChat webhook gateway."""
