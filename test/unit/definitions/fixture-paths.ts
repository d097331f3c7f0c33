import path from 'path';

/** The definitions fixtures directory, relative to the current directory (as diagnostics report files). */
export const FIXTURES = path.relative(process.cwd(), path.join(__dirname, '../../fixtures/definitions'));

/** The repository root, holding the example campaigns/ and rules/. */
export const REPO_ROOT = path.join(__dirname, '../../..');
