"""Benchmark harness: a rendered stack against a raw Starlette + asyncpg baseline (scripts/bench)."""
