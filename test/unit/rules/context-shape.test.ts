import type { ParticipationContext } from '../../../src/participation/participation-request';
import {
  CONTEXT_KEYS,
  contextPathMessage,
  contextProblemText,
  REQUEST_CONTEXT_KEYS,
} from '../../../src/rules/context-shape';

// Exhaustive at compile time: a field added to the TypeScript type without being listed here fails `tsc`.
const everyField: Required<Record<keyof ParticipationContext, true>> = {
  channel: true,
  deviceId: true,
  appVersion: true,
  platform: true,
  locale: true,
};

describe('context shape', () => {
  it("names exactly the request context's fields, and the ip the service adds to the fact", () => {
    expect([...REQUEST_CONTEXT_KEYS].sort()).toEqual(Object.keys(everyField).sort());
    expect(CONTEXT_KEYS).toEqual([...REQUEST_CONTEXT_KEYS, 'ip']);
  });

  it('reads a path to one attribute, with or without $.', () => {
    expect(contextPathMessage('channel')).toBeUndefined();
    expect(contextPathMessage('$.ip')).toBeUndefined();
    expect(contextPathMessage('plaform')).toBe(
      'unknown context path "plaform" (did you mean "platform"?); context paths: channel, deviceId, appVersion, platform, locale, ip',
    );
    expect(contextPathMessage('locale.language')).toBe(
      'context path "locale.language" does not exist: locale is a single value, with nothing inside it',
    );
  });
});

describe('contextProblemText', () => {
  it('accepts what the participation API accepts plus the ip the service adds, and nothing it refuses', () => {
    expect(contextProblemText({})).toBeUndefined();
    expect(
      contextProblemText({
        channel: 'app',
        deviceId: 'd-1',
        appVersion: '9.1.0',
        platform: 'ios',
        locale: 'zh-CN',
      }),
    ).toBeUndefined();
    // The service adds ip from the connection; rules may read it, so a simulated participation may set it.
    expect(contextProblemText({ ip: '10.0.0.1' })).toBeUndefined();
    expect(contextProblemText({ ip: 10 })).toBe('"ip" must be a string (got 10)');
  });

  it('names the first unknown field with a suggestion, or the field whose value is wrong', () => {
    expect(contextProblemText({ chanel: 'app' })).toBe(
      'unknown field "chanel" (did you mean "channel"?); allowed: channel, deviceId, appVersion, platform, locale, ip',
    );
    expect(contextProblemText({ channel: 5 })).toBe('"channel" must be a string (got 5)');
    expect(contextProblemText({ platform: 'nokia' })).toBe(
      '"platform" must be one of: ios, android, web, other (got "nokia")',
    );
  });
});
