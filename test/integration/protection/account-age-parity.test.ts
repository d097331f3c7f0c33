/**
 * Parity: the same profiles through the service (POST /participations, a real pocket) and through the
 * offline simulators (`pocket explain`, `pocket test`) give the same answer on the account-age check
 * (protection.velocity.minAccountAgeDays), and the same decision as the service stores.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pocket } from '../../../src/server';
import { json, pocket as cli } from '../../e2e/cli/run-pocket';
import {
  createBackends,
  createTestPocket,
  describeEachBackend,
  removeDir,
  type TestBackends,
} from '../../helpers/pocket';
import { join_, NOW, participationRows, profiles, writeCampaigns } from './protection-fixtures';

/** Below, at and above the minimum, missing, and of the wrong type. */
const PROFILES: Record<string, Record<string, unknown>> = {
  'two-days': { registeredDays: 2 },
  'three-days': { registeredDays: 3 },
  'a-year': { registeredDays: 365, tags: ['vip'] },
  'no-age': { gender: 'female' },
  'text-age': { registeredDays: '30' },
};

/** The service's answer as an outcome: 201 granted, 200 <refusal>, 403 <code>. */
const serviceOutcome = (res: { body: { outcome?: string; error?: { code?: string } } }) =>
  res.body.outcome ?? res.body.error?.code;

describeEachBackend('account age: service and simulators agree', (backend) => {
  let backends: TestBackends;
  let root: string;
  let pocket: Pocket;

  beforeAll(async () => {
    backends = await createBackends(backend);
    root = writeCampaigns({
      aged: { protection: '{ velocity: { maxAccountsPerDevice: 2, minAccountAgeDays: 3 } }' },
    });
    pocket = await createTestPocket(backends, {
      clock: () => NOW,
      profiles: profiles(PROFILES),
      config: { definitionsRoot: root },
    });
  });
  afterAll(async () => {
    await pocket?.close();
    await backends?.destroy();
    removeDir(root);
  });

  it('explain gives the outcome and the decision the service gave and stored, for every profile', async () => {
    const answers: Record<string, string | undefined> = {};
    for (const [userId, profile] of Object.entries(PROFILES)) {
      const res = await join_(pocket, 'aged', userId);
      const [row] = await participationRows(pocket, { campaign_id: 'aged', user_id: userId });
      const stored = (row?.decision?.['fraud'] as Record<string, unknown> | undefined)?.['accountAge'];
      const run = await cli([
        '--root',
        root,
        'explain',
        'aged',
        '--profile',
        JSON.stringify(profile),
        '--context',
        '{"channel":"app"}',
        '--at',
        NOW.toISOString(),
        '--format',
        'json',
      ]);
      expect(run.code).toBe(0);
      const explained = json<{ outcome: string; fraud: { accountAge?: unknown } }>(run);
      answers[userId] = serviceOutcome(res);
      expect({ userId, outcome: explained.outcome, accountAge: explained.fraud.accountAge }).toEqual({
        userId,
        outcome: serviceOutcome(res),
        accountAge: stored,
      });
    }
    // Both answers occur: the check is exercised, not vacuously equal.
    expect(answers).toEqual({
      'two-days': 'velocity',
      'three-days': 'granted',
      'a-year': 'granted',
      'no-age': 'velocity',
      'text-age': 'velocity',
    });

    // `pocket test` with cases expecting what the service answered passes.
    const cases = Object.entries(PROFILES).map(
      ([userId, profile]) =>
        `  - { name: ${userId}, profile: ${JSON.stringify(profile)}, context: { channel: app }, at: ${NOW.toISOString()}, expect: { outcome: ${answers[userId]} } }`,
    );
    writeFileSync(
      join(root, 'campaigns', 'aged.test.yaml'),
      ['campaign: aged', 'cases:', ...cases, ''].join('\n'),
    );
    const tested = await cli(['--root', root, 'test', 'aged']);
    expect(tested.stderr).toBe('');
    expect(tested.stdout).toContain('1 file, 5 cases: 5 passed, 0 failed');
    expect(tested.code).toBe(0);
  });
});
