// The notifications Gatehouse sends, each under a stable template id. The ids are Coder's own
// (coderd/notifications/events.go, the rows of its notification_templates table), so a preference a user
// set in Coder means the same notification here after `npm run import:coder`, and a client that reads
// Coder's template list toggles the right one. Every send goes through src/users/lifecycle/notify.ts, which
// reads the user's preferences for the template before delivering.

export interface NotificationTemplate {
  id: string;
  /** The `type` of the webhook payload. */
  type: string;
  /** Coder's template name (its notification_templates.name). */
  name: string;
  /** What log lines call it. */
  noun: string;
  /**
   * Delivered whatever the user's preferences say, and refused by PUT .../notifications/preferences: without
   * the passcode a user who forgot their password cannot get back in.
   */
  mandatory: boolean;
}

export const NOTIFICATION_TEMPLATES = {
  // Coder: TemplateUserAccountCreated, sent to owners and user admins (coderd/users.go `CreateUser`).
  userAccountCreated: {
    id: "4e19c0ac-94e1-4532-9515-d1801aa283b2",
    type: "user_account_created",
    name: "User account created",
    noun: '"account created" notification',
    mandatory: false,
  },
  // Coder: TemplateUserAccountDeleted, sent to owners and user admins (coderd/users.go `deleteUser`).
  userAccountDeleted: {
    id: "f44d9314-ad03-4bc8-95d0-5cad491da6b6",
    type: "user_account_deleted",
    name: "User account deleted",
    noun: '"account deleted" notification',
    mandatory: false,
  },
  // Coder: TemplateUserAccountSuspended / Activated, sent to owners and user admins (`notifyUserStatusChanged`).
  userAccountSuspended: {
    id: "b02ddd82-4733-4d02-a2d7-c36f3598997d",
    type: "user_account_suspended",
    name: "User account suspended",
    noun: '"account suspended" notification',
    mandatory: false,
  },
  userAccountActivated: {
    id: "9f5af851-8408-4e73-a7a1-c6502ba46689",
    type: "user_account_activated",
    name: "User account activated",
    noun: '"account activated" notification',
    mandatory: false,
  },
  // Coder: TemplateYourAccountSuspended / Activated, sent to the user whose status changed.
  yourAccountSuspended: {
    id: "6a2f0609-9b69-4d36-a989-9f5925b6cbff",
    type: "your_account_suspended",
    name: "Your account has been suspended",
    noun: '"your account suspended" notification',
    mandatory: false,
  },
  yourAccountActivated: {
    id: "1a6a6bea-ee0a-43e2-9e7c-eabdb53730e4",
    type: "your_account_activated",
    name: "Your account has been activated",
    noun: '"your account activated" notification',
    mandatory: false,
  },
  // Coder: TemplateUserRequestedOneTimePasscode (coderd/userauth.go `notifyUserRequestedOneTimePasscode`).
  oneTimePasscode: {
    id: "62f86a30-2330-4b61-a26d-311ff3b608cf",
    type: "one_time_passcode",
    name: "One-Time Passcode",
    noun: "one-time passcode",
    mandatory: true,
  },
} as const satisfies Record<string, NotificationTemplate>;

const BY_ID: ReadonlyMap<string, NotificationTemplate> = new Map(Object.values(NOTIFICATION_TEMPLATES).map((t) => [t.id, t]));

/** The template with this id (lower-case canonical form), if Gatehouse sends it. */
export const templateById = (id: string): NotificationTemplate | undefined => BY_ID.get(id);
