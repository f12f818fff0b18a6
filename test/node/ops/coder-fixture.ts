// A database shaped like Coder's (the enums and the columns of the tables the
// import reads), and Coder's PBKDF2 password format computed independently with node:crypto, for the
// import and login tests.
import { pbkdf2Sync, randomBytes } from "node:crypto";
import pg from "pg";

/** `$pbkdf2-sha256$<iter>$<salt>$<key>`: 64-byte key, standard base64 without padding (Go's RawStdEncoding). */
export function coderPbkdf2(password: string, iterations = 65535, salt: Buffer = randomBytes(16)): string {
  const raw = (b: Buffer) => b.toString("base64").replace(/=+$/, "");
  const key = pbkdf2Sync(Buffer.from(password, "utf8"), salt, iterations, 64, "sha256");
  return `$pbkdf2-sha256$${iterations}$${raw(salt)}$${raw(key)}`;
}

export const CODER_SCHEMA = `
CREATE TYPE user_status AS ENUM ('active', 'suspended', 'dormant');
CREATE TYPE login_type AS ENUM ('password', 'github', 'oidc', 'token', 'none', 'oauth2_provider_app');
CREATE TABLE users (
  id uuid NOT NULL PRIMARY KEY,
  email text NOT NULL,
  username text DEFAULT '' NOT NULL,
  hashed_password bytea NOT NULL,
  created_at timestamp with time zone NOT NULL,
  updated_at timestamp with time zone NOT NULL,
  status user_status DEFAULT 'dormant' NOT NULL,
  rbac_roles text[] DEFAULT '{}' NOT NULL,
  login_type login_type DEFAULT 'password' NOT NULL,
  avatar_url text DEFAULT '' NOT NULL,
  deleted boolean DEFAULT false NOT NULL,
  last_seen_at timestamp without time zone DEFAULT '0001-01-01 00:00:00' NOT NULL,
  quiet_hours_schedule text DEFAULT '' NOT NULL,
  name text DEFAULT '' NOT NULL,
  github_com_user_id bigint,
  hashed_one_time_passcode bytea,
  one_time_passcode_expires_at timestamp with time zone,
  is_system boolean DEFAULT false NOT NULL,
  is_service_account boolean DEFAULT false NOT NULL,
  chat_spend_limit_micros bigint
);
CREATE TABLE organizations (
  id uuid NOT NULL PRIMARY KEY,
  name text NOT NULL,
  description text NOT NULL,
  created_at timestamp with time zone NOT NULL,
  updated_at timestamp with time zone NOT NULL,
  is_default boolean DEFAULT false NOT NULL,
  display_name text NOT NULL,
  icon text DEFAULT '' NOT NULL,
  deleted boolean DEFAULT false NOT NULL
);
CREATE TABLE organization_members (
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  created_at timestamp with time zone NOT NULL,
  updated_at timestamp with time zone NOT NULL,
  roles text[] DEFAULT '{organization-member}' NOT NULL,
  PRIMARY KEY (organization_id, user_id)
);
CREATE TABLE user_links (
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  login_type login_type NOT NULL,
  linked_id text DEFAULT '' NOT NULL,
  oauth_access_token text DEFAULT '' NOT NULL,
  oauth_refresh_token text DEFAULT '' NOT NULL,
  oauth_expiry timestamp with time zone DEFAULT '0001-01-01 00:00:00+00' NOT NULL,
  oauth_access_token_key_id text,
  oauth_refresh_token_key_id text,
  claims jsonb DEFAULT '{}' NOT NULL,
  PRIMARY KEY (user_id, login_type)
);
CREATE TABLE gitsshkeys (
  user_id uuid NOT NULL PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamp with time zone NOT NULL,
  updated_at timestamp with time zone NOT NULL,
  private_key text NOT NULL,
  public_key text NOT NULL,
  private_key_key_id text
);
`;

export const ORG = { coder: "0a9f1b6e-7d1c-4c38-9a52-1c2f0e6d7a01", acme: "0a9f1b6e-7d1c-4c38-9a52-1c2f0e6d7a02" };
export const USER = {
  alice: "5d0c8b2a-1111-4a6e-9f3b-000000000001",
  bob: "5d0c8b2a-1111-4a6e-9f3b-000000000002",
  carol: "5d0c8b2a-1111-4a6e-9f3b-000000000003",
  svc: "5d0c8b2a-1111-4a6e-9f3b-000000000004",
  dave: "5d0c8b2a-1111-4a6e-9f3b-000000000005",
  prebuilds: "c42fdf75-3097-471c-8c33-fb52454d81c0",
  erin: "5d0c8b2a-1111-4a6e-9f3b-000000000006",
};
export const ALICE_PASSWORD = "Coder-Password-123!";
/** Erin's hash is from an older Coder (1024 iterations); her password has non-ASCII characters. */
export const ERIN_PASSWORD = "Grüße-aus-Köln-42!";
export const ALICE_SSH = {
  private: "-----BEGIN OPENSSH PRIVATE KEY-----\nalice\n-----END OPENSSH PRIVATE KEY-----\n",
  public: "ssh-ed25519 AAAAalice",
};

/** Creates Coder's tables in the database at `url` and fills them with one deployment's people. */
export async function seedCoder(url: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(CODER_SCHEMA);
    const t0 = "2025-01-02T03:04:05Z";
    await c.query(
      `INSERT INTO organizations (id, name, description, created_at, updated_at, is_default, display_name) VALUES
       ($1, 'coder', 'Builtin default organization.', $3, $3, true, 'Coder'),
       ($2, 'acme', 'Acme Corp', $3, $3, false, 'Acme')`,
      [ORG.coder, ORG.acme, t0],
    );
    const user = (
      id: string,
      fields: {
        email: string;
        username: string;
        hash?: string;
        status?: string;
        roles?: string[];
        login?: string;
        lastSeen?: string;
        deleted?: boolean;
        system?: boolean;
        service?: boolean;
        github?: number;
        name?: string;
      },
    ) =>
      c.query(
        `INSERT INTO users (id, email, username, hashed_password, created_at, updated_at, status, rbac_roles, login_type,
           deleted, last_seen_at, name, github_com_user_id, is_system, is_service_account, hashed_one_time_passcode, one_time_passcode_expires_at)
         VALUES ($1, $2, $3, convert_to($4, 'UTF8'), $5, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
        [
          id,
          fields.email,
          fields.username,
          fields.hash ?? "",
          t0,
          fields.status ?? "active",
          fields.roles ?? [],
          fields.login ?? "password",
          fields.deleted ?? false,
          fields.lastSeen ?? "0001-01-01 00:00:00",
          fields.name ?? "",
          fields.github ?? null,
          fields.system ?? false,
          fields.service ?? false,
          // A pending password reset, in Coder's bytea; not carried over.
          id === USER.alice ? Buffer.from(coderPbkdf2("123456", 1)) : null,
          id === USER.alice ? "2025-01-02T03:24:05Z" : null,
        ],
      );
    await user(USER.alice, {
      email: "alice@example.com",
      username: "alice",
      hash: coderPbkdf2(ALICE_PASSWORD),
      roles: ["owner", "member"],
      lastSeen: "2025-06-01 12:00:00",
      name: "Alice A",
    });
    await user(USER.bob, { email: "bob@example.com", username: "bob", login: "github", status: "dormant", github: 12345 });
    await user(USER.carol, { email: "carol@example.com", username: "carol", login: "oidc" });
    await user(USER.svc, { email: "", username: "ci-bot", login: "none", service: true });
    await user(USER.dave, { email: "dave@example.com", username: "dave", login: "github", deleted: true });
    await user(USER.prebuilds, { email: "prebuilds@system", username: "prebuilds", login: "none", system: true });
    await user(USER.erin, { email: "erin@example.com", username: "erin", hash: coderPbkdf2(ERIN_PASSWORD, 1024) });

    await c.query(
      `INSERT INTO organization_members (user_id, organization_id, created_at, updated_at, roles) VALUES
       ($1, $6, $8, $8, '{organization-member,organization-admin}'),
       ($1, $7, $8, $8, '{organization-member}'),
       ($2, $6, $8, $8, '{}'),
       ($3, $6, $8, $8, '{}'),
       ($4, $6, $8, $8, '{}'),
       ($5, $6, $8, $8, '{}'),
       ($9, $6, $8, $8, '{}')`,
      [USER.alice, USER.bob, USER.carol, USER.svc, USER.dave, ORG.coder, ORG.acme, t0, USER.erin],
    );
    await c.query(
      `INSERT INTO user_links (user_id, login_type, linked_id, oauth_access_token, oauth_refresh_token, oauth_expiry,
         oauth_access_token_key_id, oauth_refresh_token_key_id, claims) VALUES
       ($1, 'github', '12345', 'gho_plain', '', '2025-02-01T00:00:00Z', NULL, NULL, '{}'),
       ($2, 'oidc', 'oidc|carol', 'ciphertext-a', 'ciphertext-r', '0001-01-01 00:00:00+00', 'dbcrypt-1', 'dbcrypt-1',
        '{"merged_claims": {"email": "carol@example.com", "groups": ["eng"]}}'),
       ($3, 'github', '999', 'gho_dave', '', '2025-02-01T00:00:00Z', NULL, NULL, '{}')`,
      [USER.bob, USER.carol, USER.dave],
    );
    await c.query(
      `INSERT INTO gitsshkeys (user_id, created_at, updated_at, private_key, public_key, private_key_key_id) VALUES
       ($1, $3, $3, $4, $5, NULL),
       ($2, $3, $3, 'ciphertext', 'ssh-ed25519 AAAAcarol', 'dbcrypt-1')`,
      [USER.alice, USER.carol, t0, ALICE_SSH.private, ALICE_SSH.public],
    );
  } finally {
    await c.end();
  }
}
