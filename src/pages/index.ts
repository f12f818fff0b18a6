// The console: server-rendered pages for people, on the same app as the API (both runtimes). Pages read
// through the public API in-process (api.ts) and the browser writes to the public API (static/console.js);
// nothing here touches the database. Plain routes (app.get), so they stay out of the OpenAPI document.
import type { Router } from "../http/router.ts";
import { mountAccount } from "./account/index.ts";
import { mountAssets } from "./assets.ts";
import { mountAudit } from "./audit.ts";
import { mountLogin } from "./login.ts";
import { mountSetup } from "./setup.ts";
import { mountUsers } from "./users/index.ts";

export function mountPages(app: Router): void {
  mountAssets(app);
  mountSetup(app);
  mountLogin(app);
  mountAccount(app);
  mountUsers(app);
  mountAudit(app);
}
