// GET /api/v2/auth/scopes: the public scope catalogue, every name a token may be created with. No
// authentication: a client shows it before it has a token. One body serves both generations of Coder's
// clients: the newest read `external` (codersdk's ExternalAPIKeyScopes), the late-2025 dashboard reads
// codersdk's `ScopeCatalog` (codersdk/scopes_catalog.go), as `listScopeCatalog` in coderd/scopes_catalog.go
// answers it: `specials`, `low_level` with each atom's resource and action, and `composites` with the atoms
// each expands to.
import { z } from "@hono/zod-openapi";
import type { Action } from "../auth/rbac.ts";
import { SCOPE_CATALOGUE, type ScopeEntry } from "../auth/scopes.ts";
import { defineRoute, ok } from "../http/define-route.ts";
import type { Router } from "../http/router.ts";

const LowLevel = z.object({ name: z.string(), resource: z.string(), action: z.string() }).openapi("ScopeCatalogLowLevel");
const Composite = z.object({ name: z.string(), expands_to: z.array(z.string()) }).openapi("ScopeCatalogComposite");

const ScopeCatalog = z
  .object({
    external: z.array(z.string()).openapi({ description: "Every requestable scope name, sorted (ExternalAPIKeyScopes)." }),
    specials: z.array(z.string()).openapi({ description: "The legacy special scopes: coder:all, coder:application_connect." }),
    low_level: z.array(LowLevel).openapi({ description: "The resource:action scopes, `*` as the action of a wildcard." }),
    composites: z.array(Composite).openapi({ description: "The composite coder:* scopes and the resource:action scopes they grant." }),
  })
  .openapi("ScopeCatalog");

const route = defineRoute("get", "/auth/scopes", "List API key scopes", {
  tags: ["Authorization"],
  auth: "public",
  responses: ok(ScopeCatalog),
});

/** A low-level scope grants exactly one action on one resource (src/auth/scopes.ts builds them so). */
function lowLevel(entry: ScopeEntry): z.infer<typeof LowLevel> {
  const [[resource, actions]] = Object.entries(entry.grants) as [[string, readonly Action[]]];
  return { name: entry.name, resource, action: actions[0]! };
}

/** What a composite grants, as the `resource:action` names Coder lists in `expands_to`. */
const expansion = (entry: ScopeEntry): string[] =>
  Object.entries(entry.grants).flatMap(([resource, actions]) => (actions as readonly Action[]).map((action) => `${resource}:${action}`));

const of = (kind: ScopeEntry["kind"]) => SCOPE_CATALOGUE.filter((s) => s.kind === kind);

// Built once: the catalogue is constant data.
const BODY: z.infer<typeof ScopeCatalog> = {
  external: SCOPE_CATALOGUE.map((s) => s.name),
  specials: of("special").map((s) => s.name),
  low_level: of("low-level").map(lowLevel),
  composites: of("composite").map((s) => ({ name: s.name, expands_to: expansion(s) })),
};

export const getScopes = (app: Router) =>
  app.openapi(route, (c) => {
    c.header("Cache-Control", "public, max-age=300");
    return c.json(BODY, 200);
  });
