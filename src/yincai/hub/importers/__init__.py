"""Importers of the data hub, one module per kind of file; use them through ``hub.service``."""
