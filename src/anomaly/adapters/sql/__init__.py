"""SQLAlchemy (asyncio) adapters: one code path for PostgreSQL (asyncpg) and SQLite (aiosqlite)."""
