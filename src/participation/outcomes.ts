/** Outcomes and reason codes of the participation pipeline (DESIGN.md answer table). */
import type { AppError } from '../errors/app-error';

/** Business "no": HTTP 200, stored and replayed. */
export const BUSINESS_REFUSALS = [
  'not_eligible',
  'limit_reached',
  'out_of_stock',
  'budget_exhausted',
  'not_started',
  'ended',
  'paused',
  'channel_not_allowed',
] as const;
export type BusinessRefusal = (typeof BUSINESS_REFUSALS)[number];

/**
 * 403 refusals of the pipeline: stored and replayed. `user_mismatch` (a user token acting for another user)
 * is decided by client auth before the pipeline, and is never stored: it is not that user's participation.
 */
export type ForbiddenReason =
  | 'code_missing'
  | 'code_invalid'
  | 'code_expired'
  | 'code_used'
  | 'blocked'
  | 'risk_denied'
  | 'velocity'
  | 'user_mismatch';

export interface GrantView {
  id: string;
  rewardId: string;
  type: string;
  amount: number;
  charge: number;
  test: boolean;
  /**
   * The currency of `amount` and `charge` (ISO 4217): the budget's of the version that granted, as on the grant
   * row; null in a version without a budget. Additive to DESIGN.md's `grant { … }`, and last, so the fields
   * DESIGN.md lists keep their order.
   */
  currency: string | null;
}

/** What the controller sends: the exact body bytes, so a replay is byte for byte. */
export interface Answer {
  status: number;
  body: string;
  /** Final answers (200, 201, 403) are stored and replayed; transient ones (409, 429, 503) are not. */
  final: boolean;
  outcome: string;
  headers?: Record<string, string>;
  /** A replay's: the version its stored answer was decided on, for the log line (a 403's body does not say). */
  storedVersion?: number | null;
}

export function grantedAnswer(grant: GrantView, campaignVersion: number, participationId: string): Answer {
  return {
    status: 201,
    final: true,
    outcome: 'granted',
    body: JSON.stringify({ outcome: 'granted', grant, campaignVersion, participationId }),
  };
}

/** `participationId` null: the answer is not recorded (credentials refused), so it names no participation. */
export function refusalAnswer(
  outcome: BusinessRefusal,
  campaignVersion: number,
  participationId: string | null,
): Answer {
  return {
    status: 200,
    final: true,
    outcome,
    body: JSON.stringify({ outcome, campaignVersion, participationId }),
  };
}

/** An AppError as an answer; 403s are final (stored), everything else transient. */
export function errorAnswer(error: AppError): Answer {
  return {
    status: error.status,
    final: error.status === 403,
    outcome: error.code,
    body: JSON.stringify(error.toJSON()),
    headers: error.headers(),
  };
}
