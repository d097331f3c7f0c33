/** Profiles from a JSON Lines file of `{ "userId": "…", "profile": {…} }`, read once (embedded default). */
import { existsSync, readFileSync } from 'node:fs';
import type { ProfileSource } from './profile-source';

export class FileProfileSource implements ProfileSource {
  private readonly profiles = new Map<string, Record<string, unknown>>();

  constructor(file: string) {
    if (!existsSync(file)) return;
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, index) => {
        if (line.trim() === '') return;
        let parsed: unknown;
        try {
          parsed = JSON.parse(line);
        } catch {
          throw new Error(`${file}:${index + 1}:1: not valid JSON`);
        }
        const entry = (parsed ?? {}) as { userId?: unknown; profile?: unknown };
        if (typeof entry.userId !== 'string' || typeof entry.profile !== 'object' || entry.profile === null) {
          throw new Error(`${file}:${index + 1}:1: expected { "userId": string, "profile": object }`);
        }
        this.profiles.set(entry.userId, entry.profile as Record<string, unknown>);
      });
  }

  profile(userId: string): Promise<Record<string, unknown>> {
    return Promise.resolve(this.profiles.get(userId) ?? {});
  }
}
