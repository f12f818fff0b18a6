// Creating a user is one transaction: the user row, its organization memberships and its Git SSH key.
// Uniqueness is decided by the database (case-insensitive unique indexes), never by a prior read.
import type { Db, Tx } from "../db/index.ts";
import { gitSshKeys, organizationMembers, users, type LoginType, type UserRow, type UserStatus } from "../db/schema.ts";
import { generateSshKeyPair } from "../gitsshkey/keygen.ts";

export interface NewUser {
  email: string;
  username: string;
  name: string;
  hashedPassword: string;
  loginType: LoginType;
  status: UserStatus;
  rbacRoles: string[];
  organizationIds: string[];
  isServiceAccount?: boolean;
}

export async function insertUser(tx: Tx, input: NewUser, now: Date): Promise<UserRow> {
  const keys = await generateSshKeyPair();
  const [user] = await tx
    .insert(users)
    .values({
      email: input.email,
      username: input.username,
      name: input.name,
      hashedPassword: input.hashedPassword,
      loginType: input.loginType,
      status: input.status,
      rbacRoles: [...new Set(input.rbacRoles)],
      isServiceAccount: input.isServiceAccount ?? false,
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  if (input.organizationIds.length > 0) {
    await tx
      .insert(organizationMembers)
      .values(
        [...new Set(input.organizationIds)].map((organizationId) => ({ userId: user!.id, organizationId, createdAt: now, updatedAt: now })),
      );
  }
  await tx
    .insert(gitSshKeys)
    .values({ userId: user!.id, privateKey: keys.privateKey, publicKey: keys.publicKey, createdAt: now, updatedAt: now });
  return user!;
}

/** insertUser in a transaction of its own. */
export async function createUser(db: Db, input: NewUser, now: Date): Promise<UserRow> {
  return db.transaction((tx: Tx) => insertUser(tx, input, now));
}
