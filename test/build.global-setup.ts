/**
 * Jest's global setup: the CLI's end-to-end suites run the built CLI (`node dist/cli/index.js`, as the `pocket`
 * bin and CI do: test/e2e/cli/run-pocket.ts), so dist/ is brought up to date once, before any suite starts.
 * The build is incremental: a few seconds when nothing changed. It type-checks too: a type error stops the run
 * here, with the compiler's messages, as it stops CI's build.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

function buildDist(): void {
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: join(__dirname, '..'), stdio: 'inherit' });
}

// Jest takes the module's export itself as the setup function.
export = buildDist;
