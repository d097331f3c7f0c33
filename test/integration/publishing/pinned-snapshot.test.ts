/**
 * A request in flight keeps the version snapshot it pinned (DESIGN.md pipeline): one held inside the
 * pipeline (its profile lookup waits on a gate) while version 2 is activated, or the campaign paused,
 * completes on version 1, and its grant records version 1. Both backend pairs.
 */
import type { ProfileSource } from '../../../src/integrations/profile-source';
import type { Pocket } from '../../../src/server';
import { createBackends, describeEachBackend, type TestBackends } from '../../helpers/pocket';
import {
  CAMPAIGN,
  createDefinitionsRepo,
  participate,
  publishOptions,
  type DefinitionsRepo,
  closePublishingPocket,
  publishingPocket,
} from './publishing-fixtures';

/** A profile source that holds the lookups of `slow` until released, and says when one has arrived. */
function gatedProfiles(): ProfileSource & { arrived: Promise<void>; release(): void } {
  let arrive = (): void => undefined;
  let release = (): void => undefined;
  const arrived = new Promise<void>((resolve) => (arrive = resolve));
  const gate = new Promise<void>((resolve) => (release = resolve));
  return {
    arrived,
    release: () => release(),
    async profile(userId) {
      if (userId === 'slow') {
        arrive();
        await gate;
      }
      return {};
    },
  };
}

describeEachBackend('a request in flight keeps its pinned snapshot', (backend) => {
  let backends: TestBackends;
  let repo: DefinitionsRepo;
  let pocket: Pocket;
  let profiles: ReturnType<typeof gatedProfiles>;

  beforeEach(async () => {
    backends = await createBackends(backend);
    repo = createDefinitionsRepo();
    profiles = gatedProfiles();
    pocket = await publishingPocket(backends, repo, { profiles });
    await pocket.lifecycle.publish(await repo.resolved(), publishOptions());
  });
  afterEach(async () => {
    profiles.release();
    await closePublishingPocket(pocket, backends, repo);
  });

  const versionOfGrant = async (userId: string): Promise<unknown> =>
    (await backends.ledger.db('grants').where({ user_id: userId }).first('campaign_version'))
      ?.campaign_version;

  it('completes on version 1 after version 2 is activated, and its grant records version 1', async () => {
    const inFlight = participate(pocket.app, 'slow');
    await profiles.arrived;
    repo.write({ reward: 'thanks' });
    await pocket.lifecycle.publish(await repo.resolved(), publishOptions());
    expect(pocket.registry.get(CAMPAIGN)?.version).toBe(2);
    expect(await participate(pocket.app, 'fast')).toEqual({
      status: 201,
      outcome: 'granted',
      version: 2,
      rewardId: 'thanks',
    });

    profiles.release();
    expect(await inFlight).toEqual({ status: 201, outcome: 'granted', version: 1, rewardId: 'coin' });
    expect(await versionOfGrant('slow')).toBe(1);
    expect(await versionOfGrant('fast')).toBe(2);
  });

  it('completes with a grant when the campaign is paused meanwhile; the next request is refused', async () => {
    const inFlight = participate(pocket.app, 'slow');
    await profiles.arrived;
    await pocket.lifecycle.pause(CAMPAIGN, { note: null, author: null });
    expect(await participate(pocket.app, 'fast')).toMatchObject({ status: 200, outcome: 'paused' });

    profiles.release();
    expect(await inFlight).toEqual({ status: 201, outcome: 'granted', version: 1, rewardId: 'coin' });
  });
});
