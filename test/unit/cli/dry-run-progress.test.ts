/**
 * Issue 2: `pocket dry-run` "shows a progress bar on stderr for long runs" — from 10,000 users, and only when
 * stderr is a terminal (test/e2e/cli/dry-run.test.ts covers the no-terminal run end to end). A fake terminal
 * stream records what the bar draws.
 */
import { Writable } from 'node:stream';
import { progressBar } from '../../../cli/dry-run';

/** A writable that says it is an 80-column terminal (or not) and keeps everything written to it. */
function fakeStream(isTTY: boolean): Writable & { isTTY: boolean; columns: number; text(): string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return Object.assign(stream, { isTTY, columns: 80, text: () => chunks.join('') });
}

describe('dry-run progress bar', () => {
  it('draws a bar on a terminal for a run of 10,000 users, up to where the run got, then clears it', () => {
    const stream = fakeStream(true);
    const bar = progressBar(10_000, stream);
    expect(bar).not.toBeNull();
    expect(stream.text()).toContain('░░░░░ 0% | ETA: ');
    expect(stream.text()).toMatch(/\| 0\/10000/);
    bar?.update(5_000);
    bar?.stop();
    expect(stream.text()).toContain('█████░░░░░');
    expect(stream.text()).toMatch(/ 50% \| ETA: .*\| 5000\/10000/);
    expect(stream.text().endsWith('\x1B[2K')).toBe(true); // clearOnComplete: the line is erased
  });

  it('draws nothing for a run under 10,000 users, even on a terminal', () => {
    const stream = fakeStream(true);
    expect(progressBar(9_999, stream)).toBeNull();
    expect(stream.text()).toBe('');
  });

  it('draws nothing when the stream is not a terminal, however long the run', () => {
    const stream = fakeStream(false);
    expect(progressBar(1_000_000, stream)).toBeNull();
    expect(stream.text()).toBe('');
  });
});
