/**
 * One JSON POST to a scoring service (risk, recommendation): the answer body parsed, or
 * DependencyUnavailableError(dependency) for a timeout, a network error, a status other than 200, an answer
 * larger than `maxBytes` or one that is not JSON. The caller checks the answer's shape.
 */
import { DependencyUnavailableError } from '../errors/app-error';
import { readBounded } from './read-bounded';

export interface PostJsonCall {
  /** The dependency named in errors and in the 503 body. */
  dependency: string;
  url: string;
  body: unknown;
  timeoutMs: number;
  maxBytes: number;
}

export async function postJson(call: PostJsonCall): Promise<unknown> {
  const { dependency } = call;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), call.timeoutMs);
  try {
    const response = await fetch(call.url, {
      method: 'POST',
      signal: controller.signal,
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(call.body),
    });
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => undefined);
      throw new DependencyUnavailableError(dependency, `${dependency} service answered ${response.status}`);
    }
    // Read up to maxBytes and no further: a larger answer is refused as soon as it is known to be larger,
    // rather than buffered whole (until the timeout) and measured afterwards.
    const { text, truncated } = await readBounded(response, call.maxBytes);
    if (truncated) throw new DependencyUnavailableError(dependency, `${dependency} answer is too large`);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new DependencyUnavailableError(dependency, `${dependency} answer is not JSON`);
    }
  } catch (error) {
    if (error instanceof DependencyUnavailableError) throw error;
    throw new DependencyUnavailableError(
      dependency,
      controller.signal.aborted
        ? `${dependency} service did not answer within ${call.timeoutMs} ms`
        : `${dependency} service is unreachable`,
    );
  } finally {
    clearTimeout(timer);
  }
}
