"""`python -m arbridge` runs the CLI."""

from arbridge.cli import main

main()
