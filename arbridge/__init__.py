"""arbridge: the CLI and composition root (the only package that knows every concrete class)."""

__version__ = "0.1.0"
