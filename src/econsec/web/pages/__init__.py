"""Server-rendered pages (Jinja2 + htmx + Plotly), in Japanese and English."""
