/** A validated participation request, as the pipeline sees it. */
import { createHash } from 'node:crypto';

export type ClientKind = 'gateway' | 'user' | 'anonymous';

export interface ClientIdentity {
  kind: ClientKind;
  /** Token id (gateway), the JWT subject (user) or null (anonymous). */
  id: string | null;
}

export interface ParticipationContext {
  channel?: string;
  deviceId?: string;
  appVersion?: string;
  platform?: string;
  locale?: string;
}

export interface ParticipationRequest {
  campaignId: string;
  userId: string;
  idempotencyKey: string;
  activityCode?: string;
  context: ParticipationContext;
  /** From the connection (trusted proxy aware), never from the body. */
  ip: string;
  client: ClientIdentity;
  /**
   * Why the credentials were refused (401, 403 user_mismatch or forbidden_scope), decided before the pipeline
   * but answered at its "client auth" step, in DESIGN.md's order. Never stored: see README "Protection".
   */
  clientRefusal?: Error;
  /** sha256 of the canonical body: the same key with a different body is a 422. */
  requestHash: string;
  /** A tester asked for the decision trace (`?trace=1`); ignored for anyone else. */
  trace: boolean;
}

/** Hash of what the caller asked for; key order in the JSON body does not matter. */
export function requestHash(body: {
  userId: string;
  activityCode?: string;
  context?: ParticipationContext;
}): string {
  const context = body.context ?? {};
  const canonical = JSON.stringify([
    body.userId,
    body.activityCode ?? null,
    Object.keys(context)
      .sort()
      .map((k) => [k, context[k as keyof ParticipationContext]]),
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}
