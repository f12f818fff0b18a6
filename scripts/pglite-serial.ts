// A loopback TCP front for PGlite's socket server that keeps concurrent connections from interleaving.
// PGlite is one Postgres session. PGLiteSocketServer (@electric-sql/pglite-socket 0.2.x) queues single
// protocol messages, not whole exchanges, and has no exclusive mode: with two connections in flight one
// connection's Bind lands after the other's Parse ("bind message supplies 2 parameters, but prepared
// statement requires 7"). Each Worker request opens connections of its own, so `npm run dev` under load
// failed most requests. This front lets one connection at a time talk to PGlite, from its first message
// until the session is back at a clean boundary: every Sync or Query answered by ReadyForQuery, nothing
// sent since that is not yet synced, and the session idle (status 'I', no transaction open). Between such
// boundaries another connection's complete exchange cannot disturb it (unnamed statements and portals
// are re-parsed by every exchange; drivers here use no named ones). Holding whole connections instead
// would deadlock a request that runs two queries at once on two pooled connections.
import { connect, createServer, type Server, type Socket } from "node:net";

const SSL_REQUEST = 80877103;
const CANCEL_REQUEST = 80877102;

export interface SerialFront {
  /** host:port to connect to instead of the PGlite socket server. */
  address: string;
  close(): Promise<void>;
}

/** The connection that holds PGlite, and those waiting for it in arrival order. */
class Turns {
  private holder: Connection | undefined;
  private readonly waiting: Connection[] = [];

  request(conn: Connection): void {
    if (this.holder === conn || this.waiting.includes(conn)) return;
    if (this.holder) this.waiting.push(conn);
    else this.grant(conn);
  }

  release(conn: Connection): void {
    const i = this.waiting.indexOf(conn);
    if (i >= 0) this.waiting.splice(i, 1);
    if (this.holder !== conn) return;
    this.holder = undefined;
    const next = this.waiting.shift();
    if (next) this.grant(next);
  }

  private grant(conn: Connection): void {
    this.holder = conn;
    conn.granted();
  }
}

class Connection {
  private fromClient = Buffer.alloc(0);
  private fromServer = Buffer.alloc(0);
  private started = false;
  private holding = false;
  /** Syncs, Queries and the startup message not yet answered by ReadyForQuery. */
  private outstanding = 0;
  /** A message other than Sync or Query was sent after the last one: an exchange is half done. */
  private unsynced = false;
  private sslReplyPending = false;
  private status = "I";
  private readonly backend: Socket;
  private readonly client: Socket;
  private readonly turns: Turns;

  constructor(client: Socket, target: { host: string; port: number }, turns: Turns) {
    this.client = client;
    this.turns = turns;
    client.setNoDelay(true);
    this.backend = connect(target.port, target.host);
    this.backend.setNoDelay(true);
    client.on("data", (chunk) => {
      this.fromClient = Buffer.concat([this.fromClient, chunk]);
      this.pump();
    });
    this.backend.on("data", (chunk) => this.onServerData(chunk));
    const end = () => this.close();
    for (const s of [client, this.backend]) {
      s.on("close", end);
      s.on("error", end);
    }
  }

  granted(): void {
    this.holding = true;
    this.pump();
  }

  close(): void {
    // The socket server rolls back a transaction a closed connection left open.
    this.client.destroy();
    this.backend.destroy();
    this.holding = false;
    this.turns.release(this);
  }

  /** The next whole message from the client: untyped before startup, typed after. */
  private nextMessage(): { bytes: Buffer; type: string; code?: number } | undefined {
    const buf = this.fromClient;
    if (!this.started) {
      if (buf.length < 8) return undefined;
      const length = buf.readInt32BE(0);
      if (buf.length < length) return undefined;
      return { bytes: buf.subarray(0, length), type: "", code: buf.readInt32BE(4) };
    }
    if (buf.length < 5) return undefined;
    const length = 1 + buf.readInt32BE(1);
    if (buf.length < length) return undefined;
    return { bytes: buf.subarray(0, length), type: String.fromCharCode(buf[0]!) };
  }

  private pump(): void {
    for (let msg = this.nextMessage(); msg; msg = this.nextMessage()) {
      if (!this.holding) {
        this.turns.request(this);
        return;
      }
      this.fromClient = this.fromClient.subarray(msg.bytes.length);
      if (!this.started) {
        if (msg.code === SSL_REQUEST) this.sslReplyPending = true;
        else if (msg.code !== CANCEL_REQUEST) {
          this.started = true;
          this.outstanding++;
        }
      } else if (msg.type === "S" || msg.type === "Q") {
        this.outstanding++;
        this.unsynced = false;
      } else if (msg.type !== "X") {
        this.unsynced = true;
      }
      this.backend.write(msg.bytes);
    }
    this.maybeRelease();
  }

  private onServerData(chunk: Buffer): void {
    this.client.write(chunk);
    this.fromServer = Buffer.concat([this.fromServer, chunk]);
    // The answer to an SSLRequest is one byte with no length.
    if (this.sslReplyPending && this.fromServer.length > 0) {
      this.sslReplyPending = false;
      this.fromServer = this.fromServer.subarray(1);
    }
    while (this.fromServer.length >= 5) {
      const length = 1 + this.fromServer.readInt32BE(1);
      if (this.fromServer.length < length) break;
      if (this.fromServer[0] === 0x5a /* 'Z' ReadyForQuery */) {
        this.outstanding--;
        this.status = String.fromCharCode(this.fromServer[5]!);
      }
      this.fromServer = this.fromServer.subarray(length);
    }
    this.maybeRelease();
  }

  private maybeRelease(): void {
    if (!this.holding || this.sslReplyPending || this.outstanding > 0 || this.unsynced || this.status !== "I") return;
    this.holding = false;
    this.turns.release(this);
    // Whole messages that arrived while this one waited for its answers queue for the next turn.
    if (this.nextMessage()) this.turns.request(this);
  }
}

/** Listens on 127.0.0.1 (a free port) and forwards to the PGlite socket server at `target` (host:port). */
export async function startSerialFront(target: string): Promise<SerialFront> {
  const i = target.lastIndexOf(":");
  const to = { host: target.slice(0, i), port: Number(target.slice(i + 1)) };
  const turns = new Turns();
  const open = new Set<Connection>();
  const server: Server = createServer((socket) => {
    const conn = new Connection(socket, to, turns);
    open.add(conn);
    socket.on("close", () => open.delete(conn));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as { port: number };
  return {
    address: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const conn of open) conn.close();
        server.close(() => resolve());
      }),
  };
}
