import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The directory holding pocket's package.json (works from ts sources and from dist/). */
export function packageRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('pocket package root not found');
    dir = parent;
  }
  return dir;
}

/** Absolute path of a file under schemas/. */
export function schemaPath(name: string): string {
  return join(packageRoot(), 'schemas', name);
}
