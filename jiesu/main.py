"""`uvicorn jiesu.main:app`: the served application."""

import threading

from jiesu.app import create_app
from jiesu.triage.service import warm_up

app = create_app()

# Load the category model, jieba's dictionary and the gazetteer while the server starts,
# not inside the first citizen's intake request (seconds on a cold worker).
threading.Thread(target=warm_up, daemon=True, name="jiesu-triage-warmup").start()
