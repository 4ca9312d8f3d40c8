"""`uvicorn jiesu.main:app`."""

from jiesu.app import create_app

app = create_app()
