/**
 * The report fixture's traffic (observability-fixtures.ts) on an embedded SQLite ledger in a temporary data
 * directory, served on a free port with a `read` token: for the suites that run a verb both against the ledger of
 * the environment (`env`) and through `--server url --token token`.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../../src/observability/logger';
import { createPocket, type Pocket } from '../../../src/server';
import { removeDir, testConfig } from '../../helpers/pocket';
import {
  driveTraffic,
  MovingClock,
  reportProfiles,
  writeReportDefinitions,
} from '../../integration/observability/observability-fixtures';

export interface ServedReportLedger {
  /** The variables a CLI run on this ledger gets (POCKET_DATA_DIR; no DATABASE_URL or REDIS_URL). */
  env: Record<string, string | undefined>;
  service: Pocket;
  url: string;
  token: string;
  close(): Promise<void>;
}

export async function servedReportLedger(prefix: string, tokenName: string): Promise<ServedReportLedger> {
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  const root = writeReportDefinitions();
  const clock = new MovingClock();
  const config = testConfig({ POCKET_DATA_DIR: dataDir });
  const service = await createPocket(
    {
      ...config,
      definitionsRoot: root,
      databaseUrl: null,
      redisUrl: null,
      sqliteFile: join(dataDir, 'pocket.sqlite'),
    },
    { logger: silentLogger(), clock: clock.now, profiles: reportProfiles },
  );
  await service.start();
  await driveTraffic(service, clock);
  const token = (await service.tokens.create(['read'], tokenName)).token;
  const server = await new Promise<Server>((resolve) => {
    const s = service.app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    env: { POCKET_DATA_DIR: dataDir, DATABASE_URL: undefined, REDIS_URL: undefined },
    service,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    token,
    async close() {
      await new Promise((resolve) => server.close(resolve));
      await service.close();
      removeDir(root);
      removeDir(dataDir);
    },
  };
}
