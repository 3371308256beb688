"""Pre-deployment review: notices, access grants, review tracks, findings and decisions."""
