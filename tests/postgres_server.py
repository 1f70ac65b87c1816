"""The throwaway PostgreSQL server lives in `bench.postgres_server` (benchmarks use it without pytest)."""

from bench.postgres_server import PostgresServer, find_bindir

__all__ = ["PostgresServer", "find_bindir"]
