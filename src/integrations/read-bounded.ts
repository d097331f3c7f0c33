/**
 * Reads at most `maxBytes` of an answer's body and cancels the rest: another system's huge or endless answer
 * costs neither memory nor the time it takes to stream (`response.text()` would buffer all of it, until the
 * call's timeout). `truncated`: the body was longer than `maxBytes` (`text` holds its first `maxBytes` bytes).
 * A body that fails part-way (a reset, the call's timeout) rejects, as `response.text()` would.
 */
export interface BoundedBody {
  text: string;
  truncated: boolean;
}

export async function readBounded(response: Response, maxBytes: number): Promise<BoundedBody> {
  const body = response.body;
  if (body === null) return { text: '', truncated: false };
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
      if (size > maxBytes) {
        truncated = true;
        break;
      }
    }
  } finally {
    // Not awaited: the rest of the body is dropped, however slowly the other side would have sent it.
    reader.cancel().catch(() => undefined);
  }
  return {
    text: Buffer.concat(chunks).subarray(0, Math.max(0, maxBytes)).toString('utf8'),
    truncated,
  };
}
