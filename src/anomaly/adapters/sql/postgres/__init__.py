"""PostgreSQL: its hot statements straight through asyncpg, and a fit recorded in one statement."""
