"""Connectors: the roles arbridge talks to (bank sources, ERPs) and their implementations."""
