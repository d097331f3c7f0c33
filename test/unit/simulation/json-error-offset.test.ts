import { jsonErrorOffset } from '../../../src/simulation/json-error-offset';

/** The position V8 states for the same text, when it states one. */
function v8Position(text: string): number | undefined {
  try {
    JSON.parse(text);
  } catch (error) {
    const stated = /at position (\d+)/.exec((error as Error).message)?.[1];
    return stated === undefined ? undefined : Number(stated);
  }
  throw new Error(`${text} is valid JSON`);
}

describe('jsonErrorOffset', () => {
  it('says nothing about valid JSON', () => {
    for (const text of ['{}', ' [1, -2.5e+3, "a\\u00e9\\n", true, false, null, {"a": []}] ', '"x"', '0'])
      expect(jsonErrorOffset(text)).toBeUndefined();
  });

  it.each([
    ['{"a":x}', 5],
    ['not json', 1],
    ['{"a":1,"b":tru}', 14],
    ['[1,]', 3],
    ['{"a" 1}', 5],
    ['{"a":01}', 6],
    ['{"a":"\\x"}', 7],
    ['{"a":"\\u12g4"}', 10],
    ['{"a":1}}', 7],
    ['{"a":1', 6],
    ['', 0],
    ['{"a":1e}', 7],
    ['{"a":"b', 7],
    ['{"a":[1 2]}', 8],
  ])('finds where %s goes wrong (%i), where V8 agrees when it says', (text, offset) => {
    expect(jsonErrorOffset(text)).toBe(offset);
    const stated = v8Position(text);
    if (stated !== undefined) expect(stated).toBe(offset);
  });
});
