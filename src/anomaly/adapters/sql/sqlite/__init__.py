"""SQLite: writers take turns across processes, and a fit is recorded in one trip to a worker thread."""
