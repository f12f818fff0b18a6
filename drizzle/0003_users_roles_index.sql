-- `role:` filters are array overlaps (rbac_roles && '{owner}'); a GIN index serves them. Few users hold
-- site roles, so the index stays small.
CREATE INDEX IF NOT EXISTS users_rbac_roles_idx ON users USING gin (rbac_roles) WHERE deleted = false;
