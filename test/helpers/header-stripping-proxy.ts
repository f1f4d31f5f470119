/**
 * A TCP proxy in front of a server, as a misconfigured reverse proxy would be: it passes bytes
 * both ways but drops the `Sec-WebSocket-Protocol` header from the server's `101` answers (while
 * `stripping` is on), and can cut every connection it carries.
 */
import { once } from "node:events";
import { type AddressInfo, connect, createServer, type Socket } from "node:net";

export interface HeaderStrippingProxy {
  /** The proxy's `http://127.0.0.1:port`. */
  url: string;
  /** Whether 101 answers lose their subprotocol header (on by default). */
  stripping: boolean;
  /** While on, what clients send is dropped on the floor (never reaches the server). */
  blackhole: boolean;
  /** Upgrade answers seen so far, and how many lost the header. */
  readonly upgrades: { seen: number; stripped: number };
  /** Close every connection carried so far. */
  cutAll(): void;
  close(): Promise<void>;
}

export async function headerStrippingProxy(targetPort: number): Promise<HeaderStrippingProxy> {
  const sockets = new Set<Socket>();
  const upgrades = { seen: 0, stripped: 0 };
  const proxy: HeaderStrippingProxy = {
    url: "",
    stripping: true,
    blackhole: false,
    upgrades,
    cutAll() {
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    async close() {
      proxy.cutAll();
      server.close();
      await once(server, "close");
    },
  };
  const server = createServer((client) => {
    const upstream = connect(targetPort, "127.0.0.1");
    sockets.add(client);
    sockets.add(upstream);
    for (const s of [client, upstream]) {
      s.on("error", () => undefined);
      s.on("close", () => {
        client.destroy();
        upstream.destroy();
        sockets.delete(s);
      });
    }
    client.on("data", (chunk: Buffer) => {
      if (!proxy.blackhole) upstream.write(chunk);
    });
    // the server's answer to an upgrade is the first thing on its side of an upgraded connection
    let first = true;
    upstream.on("data", (chunk: Buffer) => {
      if (first && chunk.subarray(0, 12).toString("latin1") === "HTTP/1.1 101") {
        upgrades.seen++;
        if (proxy.stripping) {
          const text = chunk.toString("latin1");
          const stripped = text.replace(/\r\nSec-WebSocket-Protocol:[^\r]*/i, "");
          if (stripped !== text) upgrades.stripped++;
          chunk = Buffer.from(stripped, "latin1");
        }
      }
      first = false;
      client.write(chunk);
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}
