"""The web platform: FastAPI pages (Jinja2) and the JSON API."""
