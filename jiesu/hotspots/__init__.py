"""Hot spots: clusters of orders about one matter at one place, their alerts, joint cases
(联办), the monthly key-problem report (每月一题) and the proactive list (未诉先办)."""
