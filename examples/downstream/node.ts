// The downstream example on Node: `GATEHOUSE_URL=http://127.0.0.1:3000 node examples/downstream/node.ts`
// (Node 22 runs the TypeScript directly), listening on DOWNSTREAM_PORT (default 3001).
import { serve, type ServerType } from "@hono/node-server";
import { pathToFileURL } from "node:url";
import { createDownstream, type DownstreamOptions } from "./app.ts";

export function startDownstream(
  options: DownstreamOptions,
  port = 3001,
  hostname = "127.0.0.1",
): Promise<{ server: ServerType; url: string }> {
  const app = createDownstream(options);
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port, hostname }, (info) => resolve({ server, url: `http://${hostname}:${info.port}` }));
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const issuer = process.env.GATEHOUSE_URL;
  if (!issuer) {
    console.error("GATEHOUSE_URL is required (Gatehouse's CODER_ACCESS_URL)");
    process.exit(1);
  }
  const { url } = await startDownstream(
    { issuer, audience: process.env.GATEHOUSE_AUDIENCE || undefined },
    Number(process.env.DOWNSTREAM_PORT ?? 3001),
  );
  console.log(JSON.stringify({ level: "info", msg: "downstream example listening", url, gatehouse: issuer }));
}
