"""Special lines (专线): a number opened in minutes with its own hours, agents, categories and
knowledge-base answers; first-call resolution on the intake screen; each line's dashboard.

Importing the package registers its intake check with orders.service (a call on a line must
be on a line that takes calls now, taken by one of its agents): orders sits before lines in
the layering (docs/decisions/0001) and cannot import it.
"""

from jiesu.lines.service import check_intake
from jiesu.orders.service import register_line_check

register_line_check(check_intake)
