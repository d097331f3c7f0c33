import { formatDiagnostic } from '../../../src/definitions/diagnostic';
import { loadDefinitions } from '../../../src/definitions/load-definitions';
import { FIXTURES } from './fixture-paths';

/** Loads one fixture (the fixtures directory is its own root, with rules/) and formats its diagnostics. */
async function diagnosticsOf(fixture: string): Promise<string[]> {
  const set = await loadDefinitions({ root: FIXTURES, paths: [`${FIXTURES}/${fixture}`] });
  return set.diagnostics.map(formatDiagnostic);
}

const CASES: [fixture: string, expected: string][] = [
  [
    'invalid-yaml-syntax.yaml',
    '9:45: entry.channels: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]; the [ opened at 9:40 is never closed',
  ],
  [
    'invalid-duplicate-key.yaml',
    '20:42: segments[0].rewards[1].weight: duplicate key "weight"; a key may appear only once in a map; the first is at 20:30',
  ],
  [
    'invalid-alias-bomb.yaml',
    '27:10: description.b[0]: aliases expand too much (limit 50): refusing what looks like an alias bomb',
  ],
  [
    'invalid-unknown-property.yaml',
    '20:30: segments[0].rewards[1].wieght: unknown property "wieght" (did you mean "weight"?); allowed: reward, weight, score',
  ],
  ['invalid-missing-property.yaml', '20:9: segments[0].rewards[1]: missing required property "weight"'],
  ['invalid-wrong-type.yaml', '12:77: rewards[0].stock: must be an integer (got [1000])'],
  [
    'invalid-reward-type-field.yaml',
    '13:73: rewards[1].amount: property "amount" is not allowed for type "coupon"; allowed: id, type, name, value, minSpend, cost, validDays, stock',
  ],
  [
    'invalid-non-positive-weight.yaml',
    '20:38: segments[0].rewards[1].weight: must be greater than 0 (got 0)',
  ],
  [
    'invalid-window-order.yaml',
    '7:9: window: start (2026-11-12T00:00:00+08:00) must be before end (2026-11-11T00:00:00+08:00)',
  ],
  [
    'invalid-fractional-money.yaml',
    '12:63: rewards[0].amount.max: must be an integer number of minor units (got 200.5); amounts count minor units of CNY (1 CNY = 100): for 200.5 CNY write 20050',
  ],
  ['invalid-amount-range.yaml', '12:47: rewards[0].amount: min (500) must not be greater than max (200)'],
  [
    'invalid-unknown-fallback.yaml',
    '24:43: decision.fallback: fallback "thank-you" is not a reward of this campaign; rewards: rp-small, coupon-10, thanks',
  ],
  [
    'invalid-unknown-rule.yaml',
    '17:11: segments[0].when: rule "new-usr" is not defined in rules/ (did you mean "new-user"?)',
  ],
  [
    'invalid-duplicate-reward-id.yaml',
    '15:11: rewards[3].id: duplicate reward id "rp-small"; first defined at rewards[0]',
  ],
  [
    'invalid-unreachable-segment.yaml',
    '24:5: segments[2]: segment "women" can never match: the earlier segment "everyone" has no "when" and takes everyone',
  ],
  [
    'invalid-bad-timezone.yaml',
    '8:11: timezone: unknown IANA time zone "Asia/Shangai" (did you mean "Asia/Shanghai"?)',
  ],
  [
    'invalid-rate-limit.yaml',
    '26:25: protection.rateLimit.perUser: must be "<count>/<unit>" with unit s, sec, min, h, hour or day, e.g. 5/min (got "5/minute")',
  ],
  [
    'invalid-duplicate-tester.yaml',
    '27:15: testers[1].userId: duplicate tester "qa-alice"; first defined at testers[0]',
  ],
  [
    'invalid-id-mismatch.yaml',
    '3:5: id: id "id-mismatch" must equal the file name: rename the file to id-mismatch.yaml or set id: invalid-id-mismatch',
  ],
  [
    'rules/invalid-jsonpath-path.yaml',
    '7:34: rules[0].conditions.all[0].path: path "$.tags[?(@.vip == true)]" is not a plain dotted path such as address.city or tags.0 (JSONPath filters, wildcards and scripts are refused)',
  ],
  [
    'rules/invalid-unknown-operator.yaml',
    '10:55: rules[0].conditions.any[1].not.all[0].operator: unknown operator "greaterThanEquals": write greaterThanInclusive',
  ],
  [
    'rules/invalid-unknown-fact.yaml',
    '10:26: rules[0].conditions.all[0].value.fact: unknown fact "session"; allowed: profile, context, history',
  ],
  [
    'rules/invalid-between-range.yaml',
    '7:65: rules[0].conditions.all[0].value: low must not be greater than high (got [30, 18])',
  ],
  [
    'rules/invalid-duplicate-rule-id.yaml',
    `4:9: rules[0].id: duplicate rule id "women"; first defined at ${FIXTURES}/rules/fixture-rules.yaml:17:9`,
  ],
];

describe('invalid definition fixtures', () => {
  it.each(CASES)('%s reports exactly one error, at the node that caused it', async (fixture, expected) => {
    expect(await diagnosticsOf(fixture)).toEqual([`${FIXTURES}/${fixture}:${expected}`]);
  });
});
