// A loopback TCP proxy in front of Postgres that fails on command, for the fault suites: it can refuse new
// connections (nothing listening), reset them, black-hole everything (a network partition: bytes go in, nothing
// comes back), or cut a connection the moment the client sends a statement containing a marker, so a
// transaction dies exactly between two of its statements.
import net from "node:net";

export type ProxyMode = "pass" | "down" | "reset" | "blackhole";

export interface FaultProxy {
  /** `databaseUrl` with its host and port replaced by the proxy's. */
  url: string;
  setMode(mode: ProxyMode): Promise<void>;
  /** Resolves when a connection was cut on a client message containing `marker` (once). */
  cutOn(marker: string): Promise<void>;
  /** Destroys every open connection (the server going away under the pool). */
  dropAll(): void;
  close(): Promise<void>;
}

interface Pair {
  client: net.Socket;
  upstream?: net.Socket;
}

export async function startFaultProxy(databaseUrl: string): Promise<FaultProxy> {
  const target = new URL(databaseUrl);
  const targetPort = Number(target.port || 5432);
  const targetHost = target.hostname;
  let mode: ProxyMode = "pass";
  let cut: { marker: Buffer; hit: () => void } | undefined;
  const pairs = new Set<Pair>();

  const server = net.createServer((client) => {
    const pair: Pair = { client };
    pairs.add(pair);
    client.on("error", () => {});
    client.on("close", () => {
      pairs.delete(pair);
      pair.upstream?.destroy();
    });
    if (mode === "reset") {
      client.resetAndDestroy();
      return;
    }
    // A black hole accepts and then never answers; the client's own timeout must end the wait.
    if (mode === "blackhole") return;
    const upstream = net.connect(targetPort, targetHost);
    pair.upstream = upstream;
    upstream.on("error", () => client.destroy());
    upstream.on("close", () => client.destroy());
    upstream.on("data", (chunk) => {
      if (mode !== "blackhole") client.write(chunk);
    });
    client.on("data", (chunk) => {
      if (mode === "blackhole") return;
      if (cut && chunk.includes(cut.marker)) {
        const { hit } = cut;
        cut = undefined;
        client.destroy();
        upstream.destroy();
        hit();
        return;
      }
      upstream.write(chunk);
    });
  });

  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        server.off("error", reject);
        resolve((server.address() as net.AddressInfo).port);
      });
    });
  const port = await listen(0);
  const url = new URL(databaseUrl);
  url.hostname = "127.0.0.1";
  url.port = String(port);

  const dropAll = () => {
    for (const { client, upstream } of pairs) {
      client.destroy();
      upstream?.destroy();
    }
  };

  return {
    url: url.toString(),
    async setMode(next) {
      if (next === "down" && mode !== "down") {
        // Nothing listening: connections are refused outright.
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        dropAll();
        await closed;
      } else if (mode === "down" && next !== "down") {
        await listen(port);
      }
      if (next === "reset") dropAll();
      mode = next;
    },
    cutOn(marker) {
      return new Promise<void>((resolve) => {
        cut = { marker: Buffer.from(marker), hit: resolve };
      });
    },
    dropAll,
    async close() {
      dropAll();
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
