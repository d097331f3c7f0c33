import type { Logger } from '../src/observability/logger';

/**
 * Resolves on the first SIGTERM or SIGINT, after logging `stopping`. Later ones are logged and ignored rather than
 * left to Node's default handler, which would kill the process mid-drain and reset every request in flight: a
 * process manager that signals the whole group while npm forwards the same signal, or a Ctrl-C reaching both npm
 * and node, sends two. The caller bounds the drain (SHUTDOWN_GRACE_MS).
 */
export function shutdownSignal(logger: Pick<Logger, 'info' | 'warn'>, stopping: string): Promise<void> {
  return new Promise((resolve) => {
    let received = false;
    const stop = (signal: NodeJS.Signals): void => {
      if (received) {
        logger.warn({ signal }, 'already shutting down: this signal is ignored');
        return;
      }
      received = true;
      logger.info(stopping);
      resolve();
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}
