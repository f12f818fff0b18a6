// A loopback WebSocket-to-TCP proxy speaking the protocol of Neon's wsproxy: the client opens
// ws://<proxy>/v1?address=<host>:<port> and binary frames are piped to and from that TCP socket. It lets
// the production Neon driver run unchanged against a local Postgres. Only loopback targets are allowed.
// It counts what it carries (connections, round trips) and can add a round-trip time, for the bench and the
// tests that hold the worker to its number of round trips.
import { connect, isIP } from "node:net";
import { WebSocketServer } from "ws";

export interface NeonProxyOptions {
  /**
   * A round-trip time to add, as a network between the worker and the database would: each message waits
   * half of it in its direction (in order, so messages sent together still arrive together), and opening a
   * connection costs two (the TCP handshake and the WebSocket upgrade; the TLS handshake of a real
   * deployment is not added). A Postgres start-up thus costs the round trips it really takes.
   */
  rttMs?: number;
}

export interface NeonProxyStats {
  /** WebSocket connections opened. */
  connections: number;
  /**
   * Round trips: two per connection (TCP and upgrade), then one each time the client speaks after having
   * heard from the server (a start-up, a statement, a transaction's step). A lone Terminate is not counted:
   * the client does not wait for an answer.
   */
  roundTrips: number;
}

export interface NeonProxy {
  /** host:port, the value for NEON_WS_PROXY. */
  address: string;
  stats(): NeonProxyStats;
  close(): Promise<void>;
}

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "");
  if (h === "localhost" || h === "::1") return true;
  return isIP(h) === 4 && h.startsWith("127.");
}

/** A "host:port" to connect to when the host is a loopback one (brackets of an IPv6 host removed), else undefined. */
export function loopbackTarget(address: string): { host: string; port: number } | undefined {
  const i = address.lastIndexOf(":");
  if (i <= 0 || !isLoopback(address.slice(0, i))) return undefined;
  const port = Number(address.slice(i + 1));
  return Number.isInteger(port) && port > 0 && port < 65536 ? { host: address.slice(0, i).replace(/^\[|\]$/g, ""), port } : undefined;
}

/** Delivers what is pushed after `delayMs`, in the order pushed (each direction of a connection has one). */
function delayed<T>(delayMs: number, deliver: (item: T) => void): (item: T) => void {
  if (delayMs <= 0) return deliver;
  const queue: { due: number; item: T }[] = [];
  let scheduled = false;
  const flush = () => {
    const now = performance.now();
    while (queue.length > 0 && queue[0]!.due <= now) deliver(queue.shift()!.item);
    scheduled = queue.length > 0;
    if (scheduled) setTimeout(flush, queue[0]!.due - now);
  };
  return (item) => {
    queue.push({ due: performance.now() + delayMs, item });
    if (!scheduled) {
      scheduled = true;
      setTimeout(flush, delayMs);
    }
  };
}

/** Postgres' Terminate message ('X', length 4): the client closing, not waiting for anything. */
const isTerminate = (data: Buffer) => data.length === 5 && data[0] === 0x58 && data.readInt32BE(1) === 4;

export async function startNeonProxy(options: NeonProxyOptions = {}): Promise<NeonProxy> {
  const rtt = options.rttMs ?? 0;
  const stats: NeonProxyStats = { connections: 0, roundTrips: 0 };
  const wss = new WebSocketServer({
    host: "127.0.0.1",
    port: 0,
    // The TCP handshake and the upgrade's request and answer, each one round trip.
    verifyClient: (_info, done) => (rtt > 0 ? void setTimeout(() => done(true), 2 * rtt) : done(true)),
  });
  await new Promise<void>((resolve, reject) => {
    wss.once("listening", resolve);
    wss.once("error", reject);
  });
  wss.on("connection", (ws, req) => {
    stats.connections++;
    stats.roundTrips += 2;
    const target = loopbackTarget(new URL(req.url ?? "/", "http://proxy").searchParams.get("address") ?? "");
    if (!target) {
      ws.close(1008, "only loopback addresses may be proxied");
      return;
    }
    // Whether the server spoke since the client last did: the client's next message starts a round trip.
    let heard = true;
    const socket = connect(target.port, target.host);
    socket.setNoDelay(true);
    const toClient = delayed<Buffer>(rtt / 2, (chunk) => ws.readyState === ws.OPEN && ws.send(chunk, { binary: true }));
    // Writes before the TCP connect completes are buffered by the socket.
    const toServer = delayed<Buffer>(rtt / 2, (data) => socket.writable && socket.write(data));
    socket.on("data", (chunk) => {
      heard = true;
      toClient(chunk);
    });
    // After what is still on its way to the client.
    socket.on("close", () => setTimeout(() => ws.close(), rtt / 2));
    socket.on("error", () => ws.terminate());
    ws.on("message", (data: Buffer) => {
      if (heard && !isTerminate(data)) {
        stats.roundTrips++;
        heard = false;
      }
      toServer(data);
    });
    ws.on("close", () => setTimeout(() => socket.end(), rtt / 2));
    ws.on("error", () => socket.destroy());
  });
  const addr = wss.address();
  const bound = typeof addr === "object" && addr ? addr.port : 0;
  return {
    address: `127.0.0.1:${bound}`,
    stats: () => ({ ...stats }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  };
}
