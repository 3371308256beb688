"""Production defences that belong to no one app: sign-in throttling, proxies, deploy checks."""
