// The values a user last chose for a template's parameters, so a new workspace form can be prefilled
// (Coder's coderd/users.go). The rows come from template_parameter_values, written by the build service.
import { z } from "@hono/zod-openapi";
import { defineRoute, ok } from "../../http/define-route.ts";
import { apiError } from "../../http/errors.ts";
import type { Router } from "../../http/router.ts";
import { requirePersonal } from "../target.ts";
import { queryParams } from "../../http/validation.ts";
import { autofillParameters } from "./queries.ts";

const UserParameter = z.object({ name: z.string(), value: z.string() }).openapi("UserParameter");

const route = defineRoute("get", "/users/{user}/autofill-parameters", "Get autofill build parameters for user", {
  auth: "user-target",
  middleware: [requirePersonal("read_personal")],
  parameters: [
    { name: "template_id", in: "query", required: true, description: "Template ID", schema: { type: "string", format: "uuid" } },
  ],
  errors: [400],
  responses: ok(z.array(UserParameter)),
});

export const getAutofillParameters = (app: Router) =>
  app.openapi(route, async (c) => {
    const query = queryParams(c.req.url);
    const templateId = query.uuid("template_id", { required: true });
    query.rejectUnknown();
    if (query.errors.length > 0 || !templateId) throw apiError(400, "Invalid query parameters.", undefined, query.errors);
    const rows = await autofillParameters(c.env.deps.db, c.get("target").user.id, templateId);
    return c.json(rows, 200);
  });
