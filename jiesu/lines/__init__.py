"""Special lines (专线): a number opened in minutes with its own hours, agents, categories and
knowledge-base answers; first-call resolution on the intake screen; each line's dashboard.

Importing the package registers two hooks with the packages before it in the layering
(docs/decisions/0001), which cannot import it: orders.service checks a call's line at intake
(it must take calls now, and the agent must be one of its agents), and the knowledge base's
search reads a line's member articles to rank them first.
"""

from jiesu.knowledge.search import set_line_members
from jiesu.lines.service import check_intake, line_article_ids
from jiesu.orders.service import register_line_check

register_line_check(check_intake)
set_line_members(line_article_ids)
