import { checkChannel, checkLive, checkLiveFor } from '../../../src/decision/liveness';
import { at, campaignWith } from './decision-fixtures';

// Window: 2026-11-20T00:00+08:00 (= 2026-11-19T16:00Z) .. 2026-11-30T00:00+08:00 (= 2026-11-29T16:00Z).
const START = '2026-11-19T16:00:00.000Z';
const END = '2026-11-29T16:00:00.000Z';

describe('checkLiveFor: testers may try a campaign before it starts (README Decisions, Participation pipeline)', () => {
  const before = at('2026-11-19T00:00:00Z');

  it('lets a tester into a campaign that has not started, or a draft, but not anyone else', () => {
    expect(checkLiveFor(campaignWith(), before, false, true)).toBe('live');
    expect(checkLiveFor(campaignWith({ status: 'draft' }), at('2026-11-25T00:00:00Z'), false, true)).toBe(
      'live',
    );
    expect(checkLiveFor(campaignWith(), before, false, false)).toBe('not_started');
  });

  it('keeps a tester out of an ended campaign and out of a paused one that has not started', () => {
    expect(checkLiveFor(campaignWith(), at(END), false, true)).toBe('ended');
    expect(checkLiveFor(campaignWith({ status: 'ended' }), before, false, true)).toBe('ended');
    expect(checkLiveFor(campaignWith(), before, true, true)).toBe('paused');
  });
});

describe('checkLive (DESIGN.md pipeline: live? = window, status, pause overlay)', () => {
  const active = campaignWith();

  it('is not_started one millisecond before the start and live at the start (start inclusive)', () => {
    expect(checkLive(active, at('2026-11-19T15:59:59.999Z'), false)).toBe('not_started');
    expect(checkLive(active, at(START), false)).toBe('live');
  });

  it('is live one millisecond before the end and ended at the end (end exclusive)', () => {
    expect(checkLive(active, at('2026-11-29T15:59:59.999Z'), false)).toBe('live');
    expect(checkLive(active, at(END), false)).toBe('ended');
  });

  it('treats status ended as ended even inside the window', () => {
    expect(checkLive(campaignWith({ status: 'ended' }), at('2026-11-25T00:00:00Z'), false)).toBe('ended');
  });

  it('treats status draft as not_started even inside the window, and ended after it', () => {
    const draft = campaignWith({ status: 'draft' });
    expect(checkLive(draft, at('2026-11-25T00:00:00Z'), false)).toBe('not_started');
    expect(checkLive(draft, at(END), false)).toBe('ended');
  });

  it('answers paused only for a campaign that would otherwise be live', () => {
    expect(checkLive(active, at('2026-11-25T00:00:00Z'), true)).toBe('paused');
    expect(checkLive(active, at('2026-11-19T00:00:00Z'), true)).toBe('not_started');
    expect(checkLive(active, at(END), true)).toBe('ended');
    expect(checkLive(campaignWith({ status: 'ended' }), at('2026-11-25T00:00:00Z'), true)).toBe('ended');
  });

  it('compares instants, whatever offset the window is written in', () => {
    const utcWritten = campaignWith({ window: { start: START, end: END } });
    expect(checkLive(utcWritten, at('2026-11-20T00:00:00+08:00'), false)).toBe('live');
  });

  it('refuses an invalid now and an unparsable window', () => {
    expect(() => checkLive(active, new Date('nope'), false)).toThrow(RangeError);
    const broken = campaignWith({ window: { start: 'soon', end: END } });
    expect(() => checkLive(broken, at(START), false)).toThrow(/invalid campaign window/);
  });
});

describe('checkChannel (entry.channels)', () => {
  it('accepts any channel, or none, when the campaign lists no channels', () => {
    const open = campaignWith({ entry: { activityCode: 'none' } });
    expect(checkChannel(open, 'app')).toBe(true);
    expect(checkChannel(open, undefined)).toBe(true);
  });

  it('accepts only listed channels, compared exactly', () => {
    const listed = campaignWith({ entry: { activityCode: 'none', channels: ['app', 'h5'] } });
    expect(checkChannel(listed, 'h5')).toBe(true);
    expect(checkChannel(listed, 'mini-program')).toBe(false);
    expect(checkChannel(listed, 'APP')).toBe(false);
  });

  it('refuses a request that names no channel when the campaign lists some', () => {
    const listed = campaignWith({ entry: { activityCode: 'none', channels: ['app'] } });
    expect(checkChannel(listed, undefined)).toBe(false);
  });

  it('refuses everyone when the list is empty', () => {
    expect(checkChannel(campaignWith({ entry: { activityCode: 'none', channels: [] } }), 'app')).toBe(false);
  });
});
