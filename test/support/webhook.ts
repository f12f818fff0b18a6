// A webhook receiver on loopback, standing in for the endpoint one-time passcodes are delivered to.
import { createServer, type Server } from "node:http";

export interface Delivery {
  method: string | undefined;
  path: string | undefined;
  contentType: string | undefined;
  json: Record<string, unknown>;
}

export interface Hook {
  url: string;
  /** What was POSTed so far; complete once app.settle() has returned (delivery is deferred). */
  received: Delivery[];
  close(): Promise<void>;
}

/** A webhook receiver on the loopback interface only, answering `status`. */
export function startHook(status = 204): Promise<Hook> {
  const received: Delivery[] = [];
  const server: Server = createServer(async (req, res) => {
    let text = "";
    for await (const chunk of req) text += chunk;
    received.push({ method: req.method, path: req.url, contentType: req.headers["content-type"], json: JSON.parse(text) });
    res.statusCode = status;
    res.end();
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const addr = server.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      resolve({
        url: `http://127.0.0.1:${port}/hooks/gatehouse`,
        received,
        close: () =>
          new Promise((r) => {
            server.close(() => r());
            server.closeAllConnections();
          }),
      });
    }),
  );
}
