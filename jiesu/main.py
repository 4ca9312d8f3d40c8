"""`uvicorn jiesu.main:app`: the served application."""

import threading

from jiesu.app import create_app
from jiesu.hotspots import cases as hotspot_cases
from jiesu.knowledge import search as kb_search
from jiesu.triage.service import warm_up
from jiesu.web.supervisor import keep_warm

app = create_app()

# Load the category model, jieba's dictionary and the gazetteer while the server starts,
# not inside the first citizen's intake request (seconds on a cold worker).
threading.Thread(target=warm_up, daemon=True, name="jiesu-triage-warmup").start()
# The supervisor dashboard's figures are kept fresh in the background (recomputed before the
# page's one-minute cache expires), so no login waits for the month's rates.
threading.Thread(
    target=keep_warm, args=(threading.Event(),), daemon=True, name="jiesu-dashboard-warm"
).start()
# The knowledge base's index is read once per process (then kept current from its events):
# read it now, not in the first agent's search.
threading.Thread(target=kb_search.warm_up, daemon=True, name="jiesu-kb-warmup").start()
# The joint cases' index behind the intake hint (可能属于联办案件 N): built now, not in the
# first agent's keystroke.
threading.Thread(target=hotspot_cases.warm_up, daemon=True, name="jiesu-cases-warmup").start()
