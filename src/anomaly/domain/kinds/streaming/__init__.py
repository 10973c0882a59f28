"""The streaming kinds, `robust` and `seasonal`; docs/detection.md says how they work and why."""
