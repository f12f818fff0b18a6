// The downstream example on Workers. The app (and with it jose's key cache) lives as long as the isolate,
// so keys are fetched once per isolate and refreshed as app.ts describes. jose starts a fresh fetch per
// request on Workers rather than sharing one in flight, which Workers would refuse across requests.
import { createDownstream } from "./app.ts";

export interface Env {
  /** Gatehouse's CODER_ACCESS_URL. */
  GATEHOUSE_URL: string;
  /** Gatehouse's TENANT_ID, when it sets one. */
  GATEHOUSE_AUDIENCE?: string;
}

let app: ReturnType<typeof createDownstream> | undefined;
let builtFor: Env | undefined;

export default {
  fetch(request: Request, env: Env, ctx: ExecutionContext): Response | Promise<Response> {
    if (!app || builtFor !== env) {
      app = createDownstream({ issuer: env.GATEHOUSE_URL, audience: env.GATEHOUSE_AUDIENCE || undefined });
      builtFor = env;
    }
    return app.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<Env>;
