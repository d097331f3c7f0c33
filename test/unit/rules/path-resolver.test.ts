import { compilePath, createPathResolver, resolvePath } from '../../../src/rules/path-resolver';

describe('resolvePath: plain dotted paths, own properties only', () => {
  const value = {
    gender: 'female',
    address: { city: 'hz', geo: { lat: 30.2 } },
    tags: ['student', { kind: 'vip' }],
    zero: 0,
    empty: '',
    nothing: null,
  };

  it.each([
    ['gender', 'female'],
    ['$.gender', 'female'],
    ['address.city', 'hz'],
    ['$.address.geo.lat', 30.2],
    ['tags.0', 'student'],
    ['tags.1.kind', 'vip'],
    ['tags.length', 2],
    ['zero', 0],
    ['empty', ''],
    ['nothing', null],
  ])('%s → %p', (path, expected) => {
    expect(resolvePath(value, path)).toEqual(expected);
  });

  it.each([
    'missing',
    'address.street',
    'address.city.name',
    'tags.5',
    'nothing.x',
    'zero.x',
    'gender.length',
  ])('%s is missing (undefined) and never throws', (path) => {
    expect(resolvePath(value, path)).toBeUndefined();
  });

  it('$ or an empty path is the value itself', () => {
    expect(resolvePath(value, '$')).toBe(value);
    expect(resolvePath(value, '')).toBe(value);
  });

  it('never reads inherited properties', () => {
    expect(resolvePath({}, 'toString')).toBeUndefined();
    expect(resolvePath({}, 'hasOwnProperty')).toBeUndefined();
    expect(resolvePath(Object.create({ inherited: 1 }), 'inherited')).toBeUndefined();
    expect(resolvePath([], 'map')).toBeUndefined();
  });

  it.each([
    '__proto__',
    '__proto__.polluted',
    'constructor',
    'constructor.prototype',
    'a.prototype',
    '$.__proto__',
  ])('never follows a forbidden key: %s', (path) => {
    const own = JSON.parse('{"__proto__": {"polluted": true}, "a": {"prototype": 1}}') as unknown;
    expect(Object.hasOwn(own as object, '__proto__')).toBe(true);
    expect(resolvePath(own, path)).toBeUndefined();
    expect(compilePath(path)).toBeNull();
  });

  it('treats an empty key (a.., trailing dot) as a path that resolves to nothing', () => {
    expect(resolvePath({ a: { '': 1 } }, 'a..')).toBeUndefined();
    expect(compilePath('a.')).toBeNull();
  });
});

describe('createPathResolver', () => {
  it('splits known paths once, up front, and resolves unknown ones too', () => {
    const split = jest.spyOn(String.prototype, 'split');
    const resolve = createPathResolver(['a.b', '$.c']);
    const splitsAtCompile = split.mock.calls.length;
    expect(resolve({ a: { b: 1 } }, 'a.b')).toBe(1);
    expect(resolve({ c: 2 }, '$.c')).toBe(2);
    expect(split.mock.calls.length).toBe(splitsAtCompile);
    expect(resolve({ d: { e: 3 } }, 'd.e')).toBe(3);
    split.mockRestore();
  });

  it('keeps forbidden paths forbidden', () => {
    const resolve = createPathResolver(['__proto__.x']);
    expect(resolve({}, '__proto__.x')).toBeUndefined();
    expect(resolve({}, 'constructor')).toBeUndefined();
  });
});
