import { promises as fs } from 'fs';
import path from 'path';
import { parse } from 'yaml';
import type {
  CampaignDefinition,
  CampaignStatus,
  CaseOutcome,
  CasesFile,
  Condition,
  NotifyEvent,
  RewardDefinition,
  RewardType,
  RulesFile,
} from '../../../src/definitions/campaign-types';
import { allowedProperties, resolveRef, schemaAtPath } from '../../../src/definitions/schema-navigation';
import { SCHEMAS, SchemaKind, validateAgainstSchema } from '../../../src/definitions/schema-validator';
import { REPO_ROOT } from './fixture-paths';
import { describesObject, walkSchema } from './schema-walk';

/** Every optional property made required, at every depth: a sample of this type shows every field. */
type DeepRequired<T> = T extends readonly (infer U)[]
  ? DeepRequired<U>[]
  : T extends object
    ? { [K in keyof T]-?: DeepRequired<Exclude<T[K], undefined>> }
    : T;

const redPacket: DeepRequired<Extract<RewardDefinition, { type: 'red_packet' }>> = {
  id: 'rp',
  type: 'red_packet',
  name: 'Red packet',
  amount: { min: 1, max: 100 },
  stock: 10,
};
const coupon: DeepRequired<Extract<RewardDefinition, { type: 'coupon' | 'voucher' }>> = {
  id: 'coupon',
  type: 'voucher',
  name: 'Voucher',
  value: 1000,
  minSpend: 5000,
  cost: 300,
  validDays: 7,
  stock: 10,
};
const consolation: DeepRequired<Extract<RewardDefinition, { type: 'none' }>> = {
  id: 'thanks',
  type: 'none',
  name: 'Thanks',
};

const fullCampaign: DeepRequired<Omit<CampaignDefinition, 'rewards'>> & { rewards: RewardDefinition[] } = {
  id: 'full-campaign',
  name: 'Every field',
  owner: 'qa',
  status: 'active',
  description: 'A campaign with every optional field present',
  window: { start: '2026-11-11T00:00:00+08:00', end: '2026-11-12T00:00:00Z' },
  timezone: 'Asia/Shanghai',
  entry: { activityCode: 'signed', channels: ['app'] },
  limits: { perUser: { total: 3, daily: 1 } },
  budget: { currency: 'CNY', total: 100000, daily: 10000 },
  rewards: [redPacket, coupon, consolation],
  segments: [{ id: 'segment', when: 'rule', rewards: [{ reward: 'rp', weight: 1, score: 2.5 }] }],
  decision: { strategy: 'efficiency', fallback: 'thanks' },
  protection: {
    rateLimit: { perUser: '5/min', perDevice: '10/hour', perIp: '60/h', campaign: '2000/s' },
    velocity: { maxAccountsPerDevice: 3, minAccountAgeDays: 0, requireDeviceId: true },
    risk: { maxScore: 80, action: 'soft', onError: 'allow' },
  },
  testers: [{ userId: 'qa-1', profile: { age: 20 } }],
  observability: { trace: 'testers', log: 'fine' },
  notify: { on: ['budget.80pct', 'stock.exhausted'] },
};

const leaf: DeepRequired<Extract<Condition, { fact: string }>> = {
  fact: 'profile',
  path: 'age',
  operator: 'between',
  value: [18, 25],
  params: { source: 'crm' },
};
const fullRules: DeepRequired<RulesFile> = {
  rules: [
    {
      id: 'rule',
      description: 'Every kind of condition',
      conditions: { all: [leaf, { any: [leaf] }, { not: leaf }] },
    },
  ],
};

const fullCases: DeepRequired<CasesFile> = {
  campaign: 'full-campaign',
  cases: [
    {
      name: 'a case with every field',
      userId: 'u1',
      profile: { age: 20 },
      context: {
        channel: 'app',
        deviceId: 'd1',
        appVersion: '9.1.0',
        platform: 'ios',
        locale: 'zh-CN',
        ip: '203.0.113.9',
      },
      history: { participations: 1, grants: 0, grantsToday: 0, rewards: { rp: 0 } },
      at: '2026-11-11T12:00:00+08:00',
      expect: { outcome: 'granted', segment: 'segment', reward: 'rp', rewards: ['rp', 'coupon'] },
    },
  ],
};

// Exhaustive at compile time: adding a member to a TS union without listing it here fails `tsc`.
const UNIONS: { at: (string | number)[]; kind: SchemaKind; values: Record<string, true> }[] = [
  {
    kind: 'campaign',
    at: ['status'],
    values: { draft: true, active: true, ended: true } satisfies Record<CampaignStatus, true>,
  },
  {
    kind: 'campaign',
    at: ['rewards', 0, 'type'],
    values: { red_packet: true, coupon: true, voucher: true, none: true } satisfies Record<RewardType, true>,
  },
  {
    kind: 'campaign',
    at: ['notify', 'on', 0],
    values: {
      'budget.50pct': true,
      'budget.80pct': true,
      'budget.100pct': true,
      'budget.burn_rate': true,
      'stock.exhausted': true,
      'reconcile.discrepancy': true,
      'grant.dead_lettered': true,
      'errors.spike': true,
    } satisfies Record<NotifyEvent, true>,
  },
  {
    kind: 'cases',
    at: ['cases', 0, 'expect', 'outcome'],
    values: {
      granted: true,
      not_eligible: true,
      limit_reached: true,
      out_of_stock: true,
      budget_exhausted: true,
      not_started: true,
      ended: true,
      paused: true,
      channel_not_allowed: true,
      velocity: true,
    } satisfies Record<CaseOutcome, true>,
  },
];

/** Maps keyed by ids, whose values have a schema of their own. */
const MAPS = ['cases #/$defs/case/properties/history/properties/rewards'];

/** The free-form maps: the only objects whose properties are not declared. */
const FREE_FORM = [
  'campaign #/properties/testers/items/properties/profile',
  'rules #/$defs/condition/properties/params',
  'cases #/$defs/freeForm',
];

const SAMPLES: [SchemaKind, unknown][] = [
  ['campaign', fullCampaign],
  ['rules', fullRules],
  ['cases', fullCases],
];

/** Records, for every schema object that describes a map in the samples, the keys the samples use. */
function keysSeen(
  kind: SchemaKind,
  data: unknown,
  at: (string | number)[],
  seen: Map<object, Set<string>>,
): void {
  if (Array.isArray(data)) data.forEach((item, i) => keysSeen(kind, item, [...at, i], seen));
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return;
  const schema = schemaAtPath(SCHEMAS[kind], at);
  if (typeof schema !== 'object' || schema['additionalProperties'] === true) return;
  const keys = seen.get(schema) ?? new Set<string>();
  Object.keys(data).forEach((k) => keys.add(k));
  seen.set(schema, keys);
  for (const [key, value] of Object.entries(data)) keysSeen(kind, value, [...at, key], seen);
}

describe('schemas/ and src/definitions/campaign-types.ts agree', () => {
  it.each(SAMPLES)('a %s with every optional field present validates', (kind, sample) => {
    expect(validateAgainstSchema(kind, sample)).toEqual([]);
  });

  it.each(SAMPLES)('every %s schema property is a field of the TypeScript types', (kind, sample) => {
    const seen = new Map<object, Set<string>>();
    keysSeen(kind, sample, [], seen);
    for (const { pointer, schema } of walkSchema(SCHEMAS[kind])) {
      if (!describesObject(schema) || schema['additionalProperties'] === true) continue;
      const declared = Object.keys((schema['properties'] as object | undefined) ?? {});
      expect({ pointer, missing: declared.filter((k) => !seen.get(schema)?.has(k)) }).toEqual({
        pointer,
        missing: [],
      });
    }
  });

  it.each([redPacket, coupon, consolation])(
    'a $type reward allows exactly the fields of its type',
    (reward) => {
      const schema = resolveRef(SCHEMAS.campaign, schemaAtPath(SCHEMAS.campaign, ['rewards', 0]) ?? {});
      expect(allowedProperties(schema, reward).sort()).toEqual(Object.keys(reward).sort());
    },
  );

  it.each(UNIONS)('$kind $at lists exactly the members of the TypeScript union', ({ kind, at, values }) => {
    const schema = schemaAtPath(SCHEMAS[kind], at) as { enum?: string[] };
    expect([...(schema.enum ?? [])].sort()).toEqual(Object.keys(values).sort());
  });

  it.each(Object.keys(SCHEMAS) as SchemaKind[])(
    'every property of the %s schema has a description',
    (kind) => {
      const undocumented = walkSchema(SCHEMAS[kind])
        .filter(({ isProperty, schema }) => isProperty && typeof schema['description'] !== 'string')
        .map(({ pointer }) => pointer);
      expect(undocumented).toEqual([]);
    },
  );

  it.each(Object.keys(SCHEMAS) as SchemaKind[])('every object in the %s schema is closed', (kind) => {
    const objects = walkSchema(SCHEMAS[kind]).filter(({ schema }) => describesObject(schema));
    expect(objects.length).toBeGreaterThan(0);
    for (const { pointer, schema } of objects) {
      const where = `${kind} ${pointer}`;
      const expected = MAPS.includes(where) ? expect.any(Object) : FREE_FORM.includes(where);
      expect({ pointer, additionalProperties: schema['additionalProperties'] }).toEqual({
        pointer,
        additionalProperties: expected,
      });
    }
  });

  it.each(Object.keys(SCHEMAS) as SchemaKind[])(
    'the %s schema has an $id ending in its file name',
    (kind) => {
      expect((SCHEMAS[kind] as { $id: string }).$id).toMatch(new RegExp(`/${kind}\\.schema\\.json$`));
    },
  );
});

describe("the repository's YAML", () => {
  const files = async (dir: string): Promise<string[]> =>
    (await fs.readdir(path.join(REPO_ROOT, dir))).filter((f) => /\.ya?ml$/.test(f)).map((f) => `${dir}/${f}`);

  it('validates against the schemas and names its schema for editors', async () => {
    const all = [...(await files('campaigns')), ...(await files('rules'))];
    expect(all.length).toBeGreaterThanOrEqual(5);
    for (const file of all) {
      const kind: SchemaKind = file.startsWith('rules/')
        ? 'rules'
        : /\.test\.ya?ml$/.test(file)
          ? 'cases'
          : 'campaign';
      const text = await fs.readFile(path.join(REPO_ROOT, file), 'utf8');
      expect({ file, firstLine: text.split('\n')[0] }).toEqual({
        file,
        firstLine: `# yaml-language-server: $schema=../schemas/${kind}.schema.json`,
      });
      expect({ file, findings: validateAgainstSchema(kind, parse(text)) }).toEqual({ file, findings: [] });
    }
  });
});
