"""Knowledge base of standard answers (统一答复口径): versioned articles, review, search.

Special lines (专线) build on it: an article's membership of a line is theirs
(see `search.set_line_members`).
"""
