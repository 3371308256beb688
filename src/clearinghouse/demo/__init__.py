"""Demo data for `clearinghouse demo`: small, invented, and loaded idempotently."""
