// A user's Git SSH key (Coder's coderd/gitsshkey.go). The private key is stored for the workspace agent that
// fetches it elsewhere; it never leaves through this API, so the view has no field that could carry it.
import { z } from "@hono/zod-openapi";
import { eq, sql } from "drizzle-orm";
import type { Db } from "../../db/index.ts";
import { gitSshKeys } from "../../db/schema.ts";
import { generateSshKeyPair } from "../../gitsshkey/keygen.ts";
import { rfc3339 } from "../../compat/time.ts";

export const GitSshKeySchema = z
  .object({
    user_id: z.uuid(),
    created_at: z.string(),
    updated_at: z.string(),
    public_key: z.string(),
  })
  .openapi("GitSSHKey");

export type GitSshKeyView = z.infer<typeof GitSshKeySchema>;

/** Only the public columns are ever selected, so the private key is not even loaded. */
const publicColumns = {
  userId: gitSshKeys.userId,
  createdAt: gitSshKeys.createdAt,
  updatedAt: gitSshKeys.updatedAt,
  publicKey: gitSshKeys.publicKey,
};
type PublicRow = { userId: string; createdAt: Date; updatedAt: Date; publicKey: string };

export function gitSshKeyView(row: PublicRow): GitSshKeyView {
  return {
    user_id: row.userId,
    created_at: rfc3339(row.createdAt),
    updated_at: rfc3339(row.updatedAt),
    public_key: row.publicKey,
  };
}

/**
 * The user's key: `existing`, what readKey found, or one made now. Every user gets one at creation; one
 * imported without it gets one on its first read. Concurrent first reads race on the primary key, and the
 * loser reads the winner's row.
 */
export async function keyOrNew(db: Db, userId: string, now: Date, existing: PublicRow | undefined): Promise<PublicRow> {
  if (existing) return existing;
  const keys = await generateSshKeyPair();
  const [inserted] = await db
    .insert(gitSshKeys)
    .values({ userId, privateKey: keys.privateKey, publicKey: keys.publicKey, createdAt: now, updatedAt: now })
    .onConflictDoNothing({ target: gitSshKeys.userId })
    .returning(publicColumns);
  if (inserted) return inserted;
  return (await readKey(db, userId))!;
}

/** The user's key, if they have one. */
export async function readKey(db: Db, userId: string): Promise<PublicRow | undefined> {
  const [row] = await db.select(publicColumns).from(gitSshKeys).where(eq(gitSshKeys.userId, userId)).limit(1);
  return row;
}

/** Replaces the key pair in one statement (an upsert: created_at survives, updated_at moves). */
export async function regenerateKey(db: Db, userId: string, now: Date): Promise<PublicRow> {
  const keys = await generateSshKeyPair();
  const [row] = await db
    .insert(gitSshKeys)
    .values({ userId, privateKey: keys.privateKey, publicKey: keys.publicKey, createdAt: now, updatedAt: now })
    .onConflictDoUpdate({
      target: gitSshKeys.userId,
      set: { privateKey: sql`excluded.private_key`, publicKey: sql`excluded.public_key`, updatedAt: now },
    })
    .returning(publicColumns);
  return row!;
}
