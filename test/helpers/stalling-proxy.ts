/**
 * A TCP proxy of the test's own in front of PostgreSQL that can stall its traffic, as a ledger does whose
 * connections go silent (a failover in progress, a network partition): what was sent is neither answered nor
 * refused. `ledgerBehindProxy` gives the URL of a test ledger's schema through it.
 */
import net, { type AddressInfo, type Socket } from 'node:net';
import type { TestLedger } from './ledger';

export interface StallingProxy {
  port: number;
  /** Stalls all traffic; false lets it go again, with what `stallOn` held. */
  stall(on: boolean): void;
  /** Holds back (and stalls the connection of) what the client sends that contains `text`; null stops that. */
  stallOn(text: string | null): void;
  close(): Promise<void>;
}

export async function stallingProxy(target: URL): Promise<StallingProxy> {
  const sockets = new Set<Socket>();
  let stalled = false;
  let matching: Buffer | null = null;
  const held: Array<() => void> = [];
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      if (stalled) s.pause();
      s.on('error', () => s.destroy());
      s.on('close', () => sockets.delete(s));
    }
    client.on('data', (chunk: Buffer) => {
      if (matching === null || !chunk.includes(matching)) {
        upstream.write(chunk);
        return;
      }
      client.pause();
      upstream.pause();
      held.push(() => {
        upstream.write(chunk);
        client.resume();
        upstream.resume();
      });
    });
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    stall(on) {
      stalled = on;
      for (const s of sockets)
        if (on) s.pause();
        else s.resume();
      if (!on) for (const release of held.splice(0)) release();
    },
    stallOn(text) {
      matching = text === null ? null : Buffer.from(text);
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** DATABASE_URL's ledger through a new stalling proxy, on the schema of `ledger` (a PostgreSQL test ledger). */
export async function ledgerBehindProxy(ledger: TestLedger): Promise<{ proxy: StallingProxy; url: string }> {
  const schema = (await ledger.db.raw<{ rows: Array<{ s: string }> }>('select current_schema() as s')).rows[0]
    ?.s;
  const target = new URL(process.env['DATABASE_URL'] ?? '');
  const proxy = await stallingProxy(target);
  const url = new URL(target);
  url.hostname = '127.0.0.1';
  url.port = String(proxy.port);
  url.searchParams.set('options', `-c search_path=${schema ?? 'public'},public`);
  return { proxy, url: url.toString() };
}
