import { resolveCampaign } from '../../../src/definitions/resolve-campaign';
import { LiveRegistry, type ActiveVersionRow } from '../../../src/publishing/live-registry';
import { campaignWith } from '../decision/decision-fixtures';

function row(version: number, name: string): ActiveVersionRow {
  const resolved = resolveCampaign(campaignWith({ name }), new Map());
  return {
    campaignId: 'test-campaign',
    version,
    fingerprint: resolved.fingerprint,
    body: resolved.canonical,
  };
}

/** A source whose reads wait until released, returning what `rows` holds at the time they were made. */
function gatedSource() {
  const source = {
    rows: [row(1, 'one')],
    paused: [] as string[],
    reads: 0,
    gates: [] as Array<() => void>,
    activeVersions(): Promise<ActiveVersionRow[]> {
      source.reads++;
      const snapshot = [...source.rows];
      return new Promise((resolve) => source.gates.push(() => resolve(snapshot)));
    },
    pausedCampaigns: () => Promise.resolve([...source.paused]),
    releaseAll(): void {
      for (const open of source.gates.splice(0)) open();
    },
  };
  return source;
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('LiveRegistry.refresh', () => {
  it('answers a refresh asked during a running one with one more refresh, shared by every such call', async () => {
    const source = gatedSource();
    const registry = new LiveRegistry(source);
    const first = registry.refresh();
    await flush();
    // The change lands after the running refresh read the ledger: its notice must not be lost.
    source.rows = [row(2, 'two')];
    const second = registry.refresh();
    const third = registry.refresh();
    expect(third).toBe(second);
    source.releaseAll();
    await first;
    expect(registry.get('test-campaign')?.version).toBe(1);
    await flush();
    source.releaseAll();
    await second;
    expect(registry.get('test-campaign')?.version).toBe(2);
    expect(source.reads).toBe(2);
  });

  it('swaps whole snapshots: one pinned before a change keeps its version and pause state', async () => {
    const source = gatedSource();
    const registry = new LiveRegistry(source);
    const loading = registry.refresh();
    source.releaseAll();
    await loading;
    const pinned = registry.get('test-campaign');
    source.rows = [row(2, 'two')];
    source.paused = ['test-campaign'];
    const again = registry.refresh();
    await flush();
    source.releaseAll();
    await again;
    expect(pinned).toMatchObject({ version: 1, paused: false });
    expect(registry.get('test-campaign')).toMatchObject({ version: 2, paused: true });
  });
});
