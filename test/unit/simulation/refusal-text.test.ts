import { refusalText } from '../../../src/simulation/refusal-text';

const campaign = {
  status: 'active' as const,
  window: { start: '2026-11-20T00:00:00+08:00', end: '2026-11-30T00:00:00+08:00' },
  timezone: 'Asia/Shanghai',
  entry: { activityCode: 'none' as const, channels: ['app', 'h5'] },
};
const AT = new Date('2026-11-21T04:00:00Z');

describe('refusalText', () => {
  // `explain` and `pocket test` gave `channel_not_allowed` alone, as if the operator could guess which setting.
  it('names the channel sent, or its absence, against entry.channels', () => {
    expect(refusalText(campaign, 'channel_not_allowed', {}, AT)).toEqual([
      'channel',
      'refused: context.channel is missing (entry.channels: app, h5); give one, e.g. {"channel":"app"}',
    ]);
    expect(refusalText(campaign, 'channel_not_allowed', { channel: 'web' }, AT)).toEqual([
      'channel',
      'refused: "web" is not in entry.channels (app, h5)',
    ]);
    const closed = { ...campaign, entry: { ...campaign.entry, channels: [] } };
    expect(refusalText(closed, 'channel_not_allowed', { channel: 'app' }, AT)?.[1]).toBe(
      'refused: entry.channels is empty, which refuses everyone',
    );
  });

  it('gives the window, or the status, on the campaign clock', () => {
    expect(refusalText(campaign, 'ended', {}, new Date('2026-11-30T00:00:00+08:00'))).toEqual([
      'window',
      'refused: it ends at 2026-11-30T00:00:00+08:00 (exclusive), and 2026-11-30T00:00:00+08:00 is not before it',
    ]);
    expect(refusalText(campaign, 'not_started', {}, new Date('2026-11-19T12:00:00Z'))).toEqual([
      'window',
      'refused: it starts at 2026-11-20T00:00:00+08:00, after 2026-11-19T20:00:00+08:00',
    ]);
    expect(refusalText({ ...campaign, status: 'ended' }, 'ended', {}, AT)?.[1]).toBe(
      'refused: status is ended',
    );
    expect(refusalText({ ...campaign, status: 'draft' }, 'not_started', {}, AT)?.[1]).toBe(
      'refused: status is draft, which is served to testers only',
    );
  });

  it('has nothing to say of outcomes decided otherwise', () => {
    for (const outcome of ['granted', 'not_eligible', 'velocity', 'limit_reached'])
      expect(refusalText(campaign, outcome, {}, AT)).toBeUndefined();
  });
});
