// A loopback WebSocket-to-TCP proxy speaking the protocol of Neon's wsproxy: the client opens
// ws://<proxy>/v1?address=<host>:<port> and binary frames are piped to and from that TCP socket. It lets
// the production Neon driver run unchanged against a local Postgres. Only loopback targets are allowed.
import { connect, isIP } from "node:net";
import { WebSocketServer } from "ws";

export interface NeonProxy {
  /** host:port, the value for NEON_WS_PROXY. */
  address: string;
  close(): Promise<void>;
}

function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "");
  if (h === "localhost" || h === "::1") return true;
  return isIP(h) === 4 && h.startsWith("127.");
}

function splitAddress(address: string): { host: string; port: number } | undefined {
  const i = address.lastIndexOf(":");
  if (i <= 0) return undefined;
  const port = Number(address.slice(i + 1));
  return Number.isInteger(port) && port > 0 && port < 65536 ? { host: address.slice(0, i), port } : undefined;
}

export async function startNeonProxy(port = 0): Promise<NeonProxy> {
  const wss = new WebSocketServer({ host: "127.0.0.1", port });
  await new Promise<void>((resolve, reject) => {
    wss.once("listening", resolve);
    wss.once("error", reject);
  });
  wss.on("connection", (ws, req) => {
    const target = splitAddress(new URL(req.url ?? "/", "http://proxy").searchParams.get("address") ?? "");
    if (!target || !isLoopback(target.host)) {
      ws.close(1008, "only loopback addresses may be proxied");
      return;
    }
    const socket = connect(target.port, target.host.replace(/^\[|\]$/g, ""));
    socket.setNoDelay(true);
    socket.on("data", (chunk) => ws.readyState === ws.OPEN && ws.send(chunk, { binary: true }));
    socket.on("close", () => ws.close());
    socket.on("error", () => ws.terminate());
    // Writes before the TCP connect completes are buffered by the socket.
    ws.on("message", (data) => socket.write(data as Buffer));
    ws.on("close", () => socket.end());
    ws.on("error", () => socket.destroy());
  });
  const addr = wss.address();
  const bound = typeof addr === "object" && addr ? addr.port : port;
  return {
    address: `127.0.0.1:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  };
}
