"""The frontier model registry: labs register models, the active policy determines coverage."""
