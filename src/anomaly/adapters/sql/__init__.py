"""SQLAlchemy (asyncio) adapters of the metadata database: shared Core statements, and what each
of PostgreSQL (asyncpg) and SQLite (aiosqlite) does its own way in a package of its own."""
