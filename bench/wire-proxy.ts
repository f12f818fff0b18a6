// The loopback WebSocket-to-Postgres proxy that the worker reaches Postgres through in the bench
// (the role of Neon's wsproxy, as scripts/neon-proxy.ts plays it for `npm run dev` and the tests), which
// also meters the traffic: it reads the Postgres frontend messages the worker sends and counts the round
// trips that carry a statement (each extended-protocol Sync and each simple Query), and keeps the last
// statement with its parameters for EXPLAIN. The worker bundle must not carry bench code, so the count is
// taken on the wire. Only loopback targets are proxied.
import { connect } from "node:net";
import { WebSocketServer } from "ws";
import { loopbackTarget } from "../scripts/neon-proxy.ts";
import type { Statement } from "./target.ts";

export interface WireProxy {
  /** host:port, the value for NEON_WS_PROXY. */
  address: string;
  /** Statement round trips sent so far (Sync + Query messages). */
  statements(): number;
  last(): Statement | undefined;
  close(): Promise<void>;
}

// Startup-phase request codes (no type byte precedes these messages).
const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;

/** Follows one connection's frontend stream message by message (messages may span WebSocket frames). */
class FrontendReader {
  private buffer: Buffer = Buffer.alloc(0);
  private startup = true;
  private parsed: string | undefined;
  private readonly onStatement: (s: Statement | undefined) => void;

  /** `onStatement(s)` for each statement, then `onStatement(undefined)` when its round trip is sent. */
  constructor(onStatement: (s: Statement | undefined) => void) {
    this.onStatement = onStatement;
  }

  push(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    // Bounded: each pass consumes one whole message or stops.
    for (;;) {
      if (this.startup) {
        if (this.buffer.length < 8) return;
        const length = this.buffer.readInt32BE(0);
        if (this.buffer.length < length) return;
        const code = this.buffer.readInt32BE(4);
        this.buffer = this.buffer.subarray(length);
        // After an SSL or GSS request the real startup message is still to come.
        if (code !== SSL_REQUEST && code !== GSSENC_REQUEST) this.startup = false;
        continue;
      }
      if (this.buffer.length < 5) return;
      const length = this.buffer.readInt32BE(1);
      if (this.buffer.length < 1 + length) return;
      const type = String.fromCharCode(this.buffer[0]!);
      const body = this.buffer.subarray(5, 1 + length);
      this.buffer = this.buffer.subarray(1 + length);
      if (type === "P") this.parsed = parseMessage(body);
      else if (type === "B" && this.parsed !== undefined) this.onStatement({ query: this.parsed, params: bindParams(body) });
      else if (type === "S") this.onStatement(undefined);
      else if (type === "Q") {
        const query = cString(body, 0).value;
        this.onStatement({ query, params: [] });
        this.onStatement(undefined);
      }
    }
  }
}

function cString(buf: Buffer, at: number): { value: string; next: number } {
  const end = buf.indexOf(0, at);
  return { value: buf.toString("utf8", at, end), next: end + 1 };
}

/** Parse: statement name, then the query text. */
function parseMessage(body: Buffer): string {
  return cString(body, cString(body, 0).next).value;
}

/** Bind: portal, statement, parameter formats, then the values (text format as the driver sends them). */
function bindParams(body: Buffer): unknown[] {
  let at = cString(body, cString(body, 0).next).next;
  const formats = body.readInt16BE(at);
  const binary = new Set<number>();
  for (let i = 0; i < formats; i++) if (body.readInt16BE(at + 2 + 2 * i) === 1) binary.add(formats === 1 ? -1 : i);
  at += 2 + 2 * formats;
  const count = body.readInt16BE(at);
  at += 2;
  const params: unknown[] = [];
  for (let i = 0; i < count; i++) {
    const len = body.readInt32BE(at);
    at += 4;
    if (len < 0) params.push(null);
    else {
      params.push(binary.has(-1) || binary.has(i) ? body.subarray(at, at + len) : body.toString("utf8", at, at + len));
      at += len;
    }
  }
  return params;
}

export async function startWireProxy(): Promise<WireProxy> {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve, reject) => {
    wss.once("listening", resolve);
    wss.once("error", reject);
  });
  let statements = 0;
  let last: Statement | undefined;
  let pending: Statement | undefined;
  const onStatement = (s: Statement | undefined) => {
    if (s) pending = s;
    else {
      statements++;
      if (pending) last = pending;
      pending = undefined;
    }
  };
  wss.on("connection", (ws, req) => {
    const target = loopbackTarget(new URL(req.url ?? "/", "http://proxy").searchParams.get("address") ?? "");
    if (!target) {
      ws.close(1008, "only loopback addresses may be proxied");
      return;
    }
    const reader = new FrontendReader(onStatement);
    const socket = connect(target.port, target.host);
    socket.setNoDelay(true);
    socket.on("data", (chunk) => ws.readyState === ws.OPEN && ws.send(chunk, { binary: true }));
    socket.on("close", () => ws.close());
    socket.on("error", () => ws.terminate());
    ws.on("message", (data: Buffer) => {
      reader.push(data);
      socket.write(data);
    });
    ws.on("close", () => socket.end());
    ws.on("error", () => socket.destroy());
  });
  const addr = wss.address();
  return {
    address: `127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`,
    statements: () => statements,
    last: () => last,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  };
}
