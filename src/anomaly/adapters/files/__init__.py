"""Artifacts as files on a local or mounted filesystem."""
