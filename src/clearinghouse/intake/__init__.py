"""Vulnerability intake: submissions in standard formats, reports, de-duplication and triage."""
