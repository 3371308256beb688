"""Shared page furniture: the USWDS base layout, navigation, the role dashboard."""
