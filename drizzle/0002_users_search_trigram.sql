-- Free-text user search (`q=term`, `name:term`) is ILIKE '%term%', which no btree can serve. Trigram GIN
-- indexes can, on Postgres 15, Neon and PGlite alike (PGlite loads pg_trgm in src/db/pglite.ts).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS users_username_trgm_idx ON users USING gin (username gin_trgm_ops) WHERE deleted = false;
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS users_email_trgm_idx ON users USING gin (email gin_trgm_ops) WHERE deleted = false;
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS users_name_trgm_idx ON users USING gin (name gin_trgm_ops) WHERE deleted = false;
