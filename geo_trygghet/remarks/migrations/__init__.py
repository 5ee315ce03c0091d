"""Alembic migrations of the remark store (see env.py)."""
