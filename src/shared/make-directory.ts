/**
 * `mkdir -p` that always ends. Node 20's `mkdirSync(dir, { recursive: true })` spins forever where a parent exists
 * but refuses children with ENOENT (a path under /proc): it steps back to the parent, finds it, and tries the
 * child again. Here each missing directory is made once, from the top, and the first refusal is thrown.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export function makeDirectory(dir: string): void {
  const missing: string[] = [];
  for (let at = resolve(dir); !existsSync(at); at = dirname(at)) {
    missing.unshift(at);
    if (dirname(at) === at) break;
  }
  for (const path of missing) {
    try {
      mkdirSync(path);
    } catch (error) {
      // Made meanwhile by someone else: fine. A dangling symlink also says EEXIST; its child then fails below.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}
