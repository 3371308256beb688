"""Organisations, users with roles, API tokens, and the permission layer over tenant data."""
