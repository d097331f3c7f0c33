/** A commit as the CLI's tables show it: 12 characters, and `-dirty` kept when the checkout had changes. */
export function shortCommit(commit: string): string {
  return commit.slice(0, 12) + (commit.endsWith('-dirty') ? '-dirty' : '');
}
