import { promises as fs } from 'fs';
import os from 'os';
import path from 'path';

/** A throw-away definitions repository: files are written relative to its root. */
export interface TempRepo {
  root: string;
  write(file: string, text: string | Buffer): Promise<void>;
  /** How diagnostics name a file of this repository (relative to the current directory). */
  shown(file: string): string;
  remove(): Promise<void>;
}

export async function tempRepo(): Promise<TempRepo> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'pocket-defs-'));
  return {
    root,
    async write(file, text) {
      await fs.mkdir(path.dirname(path.join(root, file)), { recursive: true });
      await fs.writeFile(path.join(root, file), text);
    },
    shown: (file) => path.relative(process.cwd(), path.join(root, file)).split(path.sep).join('/'),
    remove: () => fs.rm(root, { recursive: true, force: true }),
  };
}

/** A minimal valid campaign; `extra` lines are appended (later keys must not repeat earlier ones). */
export function campaignYaml(
  id: string,
  segments = '  - { id: everyone, rewards: [{ reward: rp, weight: 1 }] }',
): string {
  return [
    `id: ${id}`,
    'name: Test',
    'owner: qa',
    'status: active',
    'window: { start: 2026-11-11T00:00:00+08:00, end: 2026-11-12T00:00:00+08:00 }',
    'timezone: Asia/Shanghai',
    'entry: { activityCode: none }',
    'rewards:',
    '  - { id: rp, type: red_packet, amount: { min: 1, max: 9 } }',
    '  - { id: thanks, type: none }',
    'segments:',
    segments,
    'decision: { strategy: weighted, fallback: thanks }',
    'budget: { currency: CNY, total: 1000000 }',
    '',
  ].join('\n');
}

export const RULES_YAML = [
  'rules:',
  '  - id: new-user',
  '    conditions: { all: [{ fact: profile, path: registeredDays, operator: lessThan, value: 7 }] }',
  '',
].join('\n');
