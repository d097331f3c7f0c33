import { previousSecretsSet, type Config } from '../src/config';
import type { Logger } from '../src/observability/logger';

/** A previous secret left set keeps the old one valid for good: serve and worker remind of it at start. */
export function logRotation(logger: Pick<Logger, 'info'>, config: Config): void {
  const rotating = previousSecretsSet(config);
  if (rotating.length === 0) return;
  logger.info(
    `secrets: ${rotating.join(', ')} set: what a previous secret signed is still accepted (webhooks and ` +
      'issuer requests carry both signatures); unset each when its rotation is over (README, "Rotating a secret")',
  );
}
