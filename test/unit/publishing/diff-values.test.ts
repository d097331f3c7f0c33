import { diffValues, formatChange } from '../../../src/publishing/diff-values';

describe('diffValues', () => {
  it('gives nothing for equal values', () => {
    expect(diffValues({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toEqual([]);
  });

  it('names the path of each changed, added and removed leaf', () => {
    const changes = diffValues(
      { name: 'A', budget: { total: 10, daily: 5 }, window: { start: 's' } },
      { name: 'B', budget: { total: 8 }, window: { start: 's' }, description: 'new' },
    );
    expect(changes.map(formatChange)).toEqual([
      '~ name: "A" → "B"',
      '- budget.daily: 5',
      '~ budget.total: 10 → 8',
      '+ description: "new"',
    ]);
  });

  it('matches array elements by id, so a removal does not shift every later element', () => {
    const before = { rewards: [{ id: 'a', stock: 1 }, { id: 'b', stock: 10000 }, { id: 'c' }] };
    const after = { rewards: [{ id: 'b', stock: 8000 }, { id: 'c' }, { id: 'd' }] };
    expect(diffValues(before, after).map(formatChange)).toEqual([
      '- rewards[0]: {"id":"a","stock":1}',
      '~ rewards[0].stock: 10000 → 8000',
      '+ rewards[2]: {"id":"d"}',
    ]);
  });

  it('gives the brief path form for an in-place change', () => {
    const before = { rewards: [{ id: 'a' }, { id: 'b', stock: 10000 }] };
    const after = { rewards: [{ id: 'a' }, { id: 'b', stock: 8000 }] };
    expect(diffValues(before, after)).toEqual([
      { kind: 'changed', path: 'rewards[1].stock', from: 10000, to: 8000 },
    ]);
  });

  it('reports a reorder of keyed elements once (segment order matters: first match wins)', () => {
    const before = { segments: [{ id: 'x' }, { id: 'y' }] };
    const after = { segments: [{ id: 'y' }, { id: 'x' }] };
    expect(diffValues(before, after).map(formatChange)).toEqual(['~ segments order: x, y → y, x']);
  });

  it('keys segment rewards by reward and testers by userId; compares scalar arrays whole', () => {
    const before = {
      segments: [
        {
          id: 's',
          rewards: [
            { reward: 'a', weight: 1 },
            { reward: 'b', weight: 2 },
          ],
        },
      ],
      testers: [{ userId: 'u1', profile: { age: 20 } }],
      entry: { channels: ['app', 'h5'] },
    };
    const after = {
      segments: [{ id: 's', rewards: [{ reward: 'b', weight: 3 }] }],
      testers: [{ userId: 'u1', profile: { age: 21 } }],
      entry: { channels: ['app'] },
    };
    expect(diffValues(before, after).map(formatChange)).toEqual([
      '- segments[0].rewards[0]: {"reward":"a","weight":1}',
      '~ segments[0].rewards[0].weight: 2 → 3',
      '~ testers[0].profile.age: 20 → 21',
      '~ entry.channels: ["app","h5"] → ["app"]',
    ]);
  });

  it('walks unkeyed arrays by index and prefixes a given path', () => {
    const before = { all: [{ fact: 'profile', value: 1 }] };
    const after = {
      all: [
        { fact: 'profile', value: 2 },
        { fact: 'context', value: 3 },
      ],
    };
    expect(diffValues(before, after, ['rules', 'new-user']).map(formatChange)).toEqual([
      '~ rules.new-user.all[0].value: 1 → 2',
      '+ rules.new-user.all[1]: {"fact":"context","value":3}',
    ]);
  });

  it('reports a type change as a change of the whole value', () => {
    expect(diffValues({ a: { b: 1 } }, { a: [1] }).map(formatChange)).toEqual(['~ a: {"b":1} → [1]']);
  });
});
