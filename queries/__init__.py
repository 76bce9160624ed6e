"""Queries: pure functions (Scope first) → tidy DataFrames, SQLAlchemy Core with bound parameters, memoised."""
