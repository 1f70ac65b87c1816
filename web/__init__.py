"""The finance web page: the review queue in a browser (FastAPI + Jinja2, server-rendered)."""
