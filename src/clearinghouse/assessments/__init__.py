"""Security assessments: cyber-capability suites run on Inspect against the model under review."""
