import { canonicalJson } from '../../../src/definitions/canonical-json';

describe('canonicalJson', () => {
  it('sorts keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('omits undefined properties and writes undefined array items as null, like JSON.stringify', () => {
    expect(canonicalJson({ a: undefined, b: [undefined] })).toBe('{"b":[null]}');
  });

  it('escapes strings as JSON does', () => {
    expect(canonicalJson({ 'k"': 'line\nbreak ✓' })).toBe('{"k\\"":"line\\nbreak ✓"}');
  });

  it('writes numbers in their shortest form', () => {
    expect(canonicalJson([1.0, -0, 1e21, 0.1])).toBe('[1,0,1e+21,0.1]');
  });

  it('refuses values JSON cannot hold', () => {
    expect(() => canonicalJson({ a: NaN })).toThrow('canonical JSON cannot hold NaN');
    expect(() => canonicalJson(Infinity)).toThrow('canonical JSON cannot hold Infinity');
    expect(() => canonicalJson({ f: () => 1 })).toThrow('canonical JSON cannot hold a function');
  });
});
