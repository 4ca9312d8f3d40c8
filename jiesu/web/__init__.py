"""Server-rendered pages for every role (Jinja2 + htmx, ECharts), mounted by `install_web`."""
