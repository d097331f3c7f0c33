/** A document path: map keys and sequence indexes from the root. */
export type Path = (string | number)[];

/** JSON pointer → document path; array indexes become numbers, guided by the data. */
export function pointerToPath(pointer: string, data: unknown): Path {
  const path: Path = [];
  let current = data;
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const key: string | number = Array.isArray(current) ? Number(part) : part;
    path.push(key);
    current = (current as Record<string | number, unknown> | null | undefined)?.[key];
  }
  return path;
}

/** The value at a document path, or undefined. */
export function valueAt(data: unknown, path: Path): unknown {
  return path.reduce<unknown>(
    (v, k) => (v as Record<string | number, unknown> | null | undefined)?.[k],
    data,
  );
}
