/**
 * The pipeline's anti-fraud step (after facts, under the user's lock), cheapest first:
 * blocklist (user, device, IP) → account age → accounts per device → risk service.
 * Every check's result and reason goes into the verdict's `decisions`, stored with the participation.
 */
import { AppError, DependencyUnavailableError } from '../errors/app-error';
import type { RiskClient } from '../integrations/risk-client';
import type { ForbiddenReason } from '../participation/outcomes';
import type { ParticipationRequest } from '../participation/participation-request';
import type { CampaignSnapshot } from '../publishing/campaign-snapshot';
import type { Facts } from '../rules/facts';
import { normalizeIp } from '../shared/ip-address';
import type { BlocklistCache } from './blocklist-cache';
import type { DeviceVelocity } from './device-velocity';
import { accountAgeCheck, riskAction, type RiskPolicy } from './fraud-decisions';
import type { FraudVerdict } from './participation-guard';

export interface FraudScreenDeps {
  blocklist: Pick<BlocklistCache, 'find'>;
  devices: Pick<DeviceVelocity, 'admit' | 'release'>;
  /** null: no RISK_URL. */
  risk: RiskClient | null;
  /**
   * What a campaign with a `risk` policy gets when no risk service is configured: 'skip' (development: the
   * check is skipped and the decision says so) or 'error' (production: as if the service failed → onError).
   */
  riskMissing: 'skip' | 'error';
}

type Decisions = Record<string, unknown>;

async function ledger<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new DependencyUnavailableError('ledger');
  }
}

export class FraudScreen {
  constructor(private readonly deps: FraudScreenDeps) {}

  async screen(
    snapshot: CampaignSnapshot,
    request: ParticipationRequest,
    facts: Facts,
  ): Promise<FraudVerdict> {
    const decisions: Decisions = {};
    const deny = (reason: ForbiddenReason): FraudVerdict => ({ action: 'deny', reason, decisions });
    const deviceId = request.context.deviceId;
    /** The device whose slot this request took, given back when the screen fails. */
    let newSlot: string | null = null;

    const hit = await this.deps.blocklist.find({ userId: request.userId, deviceId, ip: request.ip });
    decisions['blocklist'] = hit
      ? { result: 'deny', kind: hit.kind, value: hit.value, reason: hit.reason }
      : { result: 'pass' };
    if (hit) return deny('blocked');

    const age = accountAgeCheck(snapshot.definition.protection, facts.profile);
    if (age) {
      decisions['accountAge'] = age;
      if (age.result === 'deny') return deny('velocity');
    }

    const velocity = snapshot.definition.protection?.velocity;

    const maxAccounts = velocity?.maxAccountsPerDevice;
    if (maxAccounts !== undefined) {
      if (deviceId === undefined && velocity?.requireDeviceId === true) {
        decisions['deviceAccounts'] = { result: 'deny', why: 'no context.deviceId (requireDeviceId)' };
        return deny('velocity');
      } else if (deviceId === undefined) {
        decisions['deviceAccounts'] = { result: 'skipped', why: 'no context.deviceId' };
      } else {
        const { claimed, ...d } = await ledger(() =>
          this.deps.devices.admit(snapshot.campaignId, deviceId, request.userId, maxAccounts),
        );
        decisions['deviceAccounts'] = d;
        if (d.result === 'deny') return deny('velocity');
        if (claimed) newSlot = deviceId;
      }
    }

    const policy = snapshot.definition.protection?.risk;
    if (!policy) return { action: 'allow', decisions };
    try {
      return await this.risk(policy, snapshot, request, decisions);
    } catch (error) {
      // Not screened (onError: deny → 503, stored nowhere): the slot this request took goes back, so an account
      // that never got an answer does not keep another off the device. Best effort: a failed release keeps it.
      if (newSlot !== null) {
        await this.deps.devices.release(snapshot.campaignId, newSlot, request.userId).catch(() => undefined);
      }
      throw error;
    }
  }

  private async risk(
    policy: RiskPolicy,
    snapshot: CampaignSnapshot,
    request: ParticipationRequest,
    decisions: Decisions,
  ): Promise<FraudVerdict> {
    const client = this.deps.risk;
    let score: number;
    try {
      if (!client) {
        if (this.deps.riskMissing === 'skip') {
          decisions['risk'] = { result: 'skipped', why: 'RISK_URL is not set' };
          return { action: 'allow', decisions };
        }
        throw new DependencyUnavailableError('risk', 'RISK_URL is not set');
      }
      score = await client.score({
        campaignId: snapshot.campaignId,
        userId: request.userId,
        deviceId: request.context.deviceId ?? null,
        ip: normalizeIp(request.ip),
        channel: request.context.channel ?? null,
      });
    } catch (error) {
      const message = error instanceof AppError ? error.message : 'risk service failed';
      if (policy.onError === 'deny') {
        throw new DependencyUnavailableError('risk', `${message} (risk.onError: deny)`);
      }
      decisions['risk'] = { result: 'pass', error: message, onError: 'allow' };
      return { action: 'allow', decisions };
    }
    const action = riskAction(policy, score);
    decisions['risk'] = {
      result: action === 'allow' ? 'pass' : action,
      score,
      maxScore: policy.maxScore,
    };
    if (action === 'allow') return { action: 'allow', decisions };
    return { action, reason: 'risk_denied', decisions };
  }
}
