// The account notifications Coder sends and Gatehouse sends the same way (coderd/users.go `CreateUser`,
// `deleteUser`, `notifyUserStatusChanged`): to every owner and user admin, and for a status change also to
// the user concerned, with Coder's labels. Each is sent after the response and, inside an audited
// request, only once its transaction has committed (deps.defer), through lifecycle/notify.ts.
import type { DeferredTask, Deps } from "../../deps.ts";
import { deliversNotifications, deliverToEach } from "../lifecycle/notify.ts";
import { userAdmins } from "./queries.ts";
import { NOTIFICATION_TEMPLATES as T } from "./templates.ts";

/**
 * Defers a delivery past the response, unless no notification can leave (lifecycle/notify.ts): then the
 * admins and their preferences are not read for nothing.
 */
function deferDelivery(deps: Deps, deliver: DeferredTask): void {
  if (deliversNotifications(deps.config)) deps.defer(deliver);
}

interface Account {
  id: string;
  email: string;
  username: string;
  name: string;
}

/** A user was created; the new user is not told about themselves even when an admin (Coder skips them too). */
export function notifyAccountCreated(deps: Deps, account: Account, initiator: string): void {
  const labels = { created_account_name: account.username, created_account_user_name: account.name, initiator };
  deferDelivery(deps, async (db) => {
    const admins = (await userAdmins(db)).filter((a) => a.id !== account.id);
    await deliverToEach(deps.config, db, T.userAccountCreated, admins, labels);
  });
}

/** A user was deleted: the admins are told, the deleted user is not. */
export function notifyAccountDeleted(deps: Deps, account: Account, initiator: string): void {
  const labels = { deleted_account_name: account.username, deleted_account_user_name: account.name, initiator };
  deferDelivery(deps, async (db) => deliverToEach(deps.config, db, T.userAccountDeleted, await userAdmins(db), labels));
}

/** A user was suspended or activated: the admins and the user are told. */
export function notifyStatusChanged(deps: Deps, account: Account, status: "suspended" | "active", initiator: string): void {
  const suspended = status === "suspended";
  const prefix = suspended ? "suspended_account" : "activated_account";
  // The same labels for both, as Coder's.
  const labels = { [`${prefix}_name`]: account.username, [`${prefix}_user_name`]: account.name, initiator };
  deferDelivery(deps, async (db) => {
    await deliverToEach(deps.config, db, suspended ? T.userAccountSuspended : T.userAccountActivated, await userAdmins(db), labels);
    await deliverToEach(deps.config, db, suspended ? T.yourAccountSuspended : T.yourAccountActivated, [account], labels);
  });
}
