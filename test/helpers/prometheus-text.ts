/** Reads Prometheus exposition text into `name{labels}` → value (labels as written, sorted by prom-client). */
export function parsePrometheus(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

/** `name{a="x",b="y"}` as prom-client writes it (labels in the order given). */
export function sample(name: string, labels: Record<string, string> = {}): string {
  const inner = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');
  return inner === '' ? name : `${name}{${inner}}`;
}
