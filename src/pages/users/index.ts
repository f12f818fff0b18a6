// The user administration pages: /users (list, search, create) and /users/{username} (one user's status,
// roles, password and deletion), for the people NAV lists them for (owners and user admins).
import type { Router } from "../../http/router.ts";
import { requireSection } from "../access.ts";
import { USERS_PATH, usersPage } from "./list.ts";
import { userPage } from "./manage.ts";

export function mountUsers(app: Router): void {
  app.get(USERS_PATH, async (c) => {
    const access = await requireSection(app, c, USERS_PATH);
    return access.me ? usersPage(app, c, access.me) : access.refusal;
  });
  app.get(`${USERS_PATH}/:username`, async (c) => {
    const access = await requireSection(app, c, USERS_PATH);
    return access.me ? userPage(app, c, access.me, c.req.param("username")) : access.refusal;
  });
}
