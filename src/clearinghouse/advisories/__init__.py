"""The advisory store: OSV advisories from public feeds, indexed by the packages they name."""
