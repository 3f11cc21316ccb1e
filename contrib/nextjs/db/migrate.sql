-- contrib/nextjs/db/migrate.sql: the example's schema, applied by
-- [task:migrate] before the app starts. Safe to run again.
CREATE TABLE IF NOT EXISTS visits (
	id	bigserial PRIMARY KEY,
	at	timestamptz NOT NULL DEFAULT now()
);
