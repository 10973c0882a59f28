"""In-memory adapters of every port, one per file: fast, inspectable stand-ins that behave like the
real ones, for use-case and API tests (the contract tests hold them to it)."""
