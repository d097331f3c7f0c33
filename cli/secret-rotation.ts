import { previousSecretsSet, type Config } from '../src/config';
import { ISSUER_KINDS, issuersSharingWebhookSecret, issuerVariable } from '../src/delivery/issuer-secrets';
import type { Logger } from '../src/observability/logger';

/**
 * What serve and worker say about the secrets at start. A previous secret left set keeps the old one valid for
 * good; an issuer without a secret of its own shares WEBHOOK_SECRET with whoever else holds it; an issuer secret
 * whose type has no issuer URL signs nothing (a URL variable misspelt or forgotten: its requests go to the sandbox).
 */
export function logSecretNotices(logger: Pick<Logger, 'info' | 'warn'>, config: Config): void {
  const unused = ISSUER_KINDS.filter(
    (kind) => config.issuerSecrets[kind] !== undefined && config.issuerUrls[kind] === undefined,
  );
  if (unused.length > 0) {
    logger.warn(
      `secrets: ${unused.map((kind) => issuerVariable(kind, 'SECRET')).join(', ')} set without ` +
        `${unused.map((kind) => issuerVariable(kind, 'URL')).join(', ')}: nothing is signed with it, and those ` +
        'grants go to the sandbox issuer; set the URL, or unset the secret',
    );
  }
  const rotating = previousSecretsSet(config);
  if (rotating.length > 0) {
    logger.info(
      `secrets: ${rotating.join(', ')} set: what a previous secret signed is still accepted (webhooks and ` +
        'issuer requests carry both signatures); unset each when its rotation is over (README, "Rotating a secret")',
    );
  }
  const sharing = issuersSharingWebhookSecret(
    config.issuerUrls,
    config.issuerSecrets,
    config.notifyUrl !== null,
  );
  if (sharing.length > 0) {
    const urls = sharing.map((kind) => issuerVariable(kind, 'URL')).join(', ');
    const own = sharing.map((kind) => issuerVariable(kind, 'SECRET')).join(', ');
    logger.info(
      `secrets: the requests to ${urls} are signed with WEBHOOK_SECRET, which ${config.notifyUrl !== null ? 'the webhook receiver' : 'another issuer'} ` +
        `also holds and could then sign grants with; set ${own} to give each issuer its own ` +
        '(README, "Rotating a secret")',
    );
  }
}
