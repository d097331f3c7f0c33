/** Operational alerts to people (a chat hook, an incident tool) through one webhook. */

export type AlertEvent =
  | 'budget.50pct'
  | 'budget.80pct'
  | 'budget.100pct'
  | 'stock.exhausted'
  | 'reconcile.discrepancy'
  | 'grant.dead_lettered'
  /** The pace of spend would exhaust the budget before the window (or business day) ends. */
  | 'budget.burn_rate'
  /** Server errors or 503s above their threshold among recent requests. */
  | 'errors.spike'
  /** An issuer answered 401 to a grant: it does not verify pocket's signature (its ISSUER_<TYPE>_SECRET or WEBHOOK_SECRET). */
  | 'issuer.signature_refused';

export interface NotificationMessage {
  id: string;
  event: AlertEvent;
  /** null: not about one campaign (e.g. a downstream record unknown to the ledger). */
  campaignId: string | null;
  /** What makes this occurrence distinct: the event fires once per (campaign, event, occurrence). */
  occurrence: string;
  at: string;
  details: Record<string, unknown>;
}

export interface Notifier {
  /** Sends one message (retrying on its own); rejects when it could not be delivered. */
  send(message: NotificationMessage): Promise<void>;
}
