/**
 * Configuration: defaults ← environment, validated at boot against schemas/config.schema.json.
 * A bad value stops the boot with a message naming the variable. Picks embedded or production backends.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { schemaPath } from './shared/package-root';

export type RewardKind = 'red_packet' | 'coupon' | 'voucher';

export interface Secrets {
  activityCode: string;
  webhook: string;
  userToken: string;
}

export interface Config {
  env: 'production' | 'development' | 'test';
  port: number;
  /** express "trust proxy": which hops in front are trusted for the client address (req.ip). */
  trustProxy: boolean | number | string;
  /** null: the embedded SQLite ledger at `sqliteFile`. */
  databaseUrl: string | null;
  sqliteFile: string;
  /** null: in-memory hot state (one process only). */
  redisUrl: string | null;
  dataDir: string;
  definitionsRoot: string;
  publishOnStart: boolean;
  profilesFile: string;
  profileUrl: string | null;
  profileTimeoutMs: number;
  profileCacheTtlMs: number;
  riskUrl: string | null;
  riskTimeoutMs: number;
  recommendUrl: string | null;
  recommendTimeoutMs: number;
  issuerUrls: Partial<Record<RewardKind, string>>;
  issuerTimeoutMs: number;
  notifyUrl: string | null;
  secrets: Secrets;
  /** Where generated secrets came from, for the boot banner. */
  secretsGenerated: boolean;
  reconcileCron: string;
  offlineReconcileCron: string;
  runWorker: boolean;
  logLevel: string;
  shutdownGraceMs: number;
  /** Client credentials are required (NODE_ENV=production). */
  requireClientAuth: boolean;
  /** null: /metrics is open (network policy); else it needs `Authorization: Bearer <token>`. */
  metricsToken: string | null;
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;
type RawConfig = Record<string, string | number | boolean>;

interface SchemaProperty {
  type?: string;
}

let validator: ReturnType<Ajv2020['compile']> | undefined;
let properties: Record<string, SchemaProperty> = {};

function loadValidator(): ReturnType<Ajv2020['compile']> {
  if (!validator) {
    const schema = JSON.parse(readFileSync(schemaPath('config.schema.json'), 'utf8')) as {
      properties: Record<string, SchemaProperty>;
    };
    properties = schema.properties;
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    addFormats(ajv);
    validator = ajv.compile(schema);
  }
  return validator;
}

function coerce(type: string | undefined, value: string): string | number | boolean {
  if (type === 'integer' && /^-?\d+$/.test(value.trim())) return Number(value);
  if (type === 'boolean') {
    if (/^(true|1|yes)$/i.test(value)) return true;
    if (/^(false|0|no)$/i.test(value)) return false;
  }
  return value;
}

/** Reads the known variables from the environment, coerced and validated. */
function readEnv(env: Env): RawConfig {
  const validate = loadValidator();
  const raw: RawConfig = {};
  for (const [name, prop] of Object.entries(properties)) {
    const value = env[name];
    if (value !== undefined && value !== '') raw[name] = coerce(prop.type, value);
  }
  if (!validate(raw)) {
    const messages = (validate.errors ?? []).map((e) => {
      const name = e.instancePath.replace(/^\//, '') || String(e.params['missingProperty'] ?? '');
      return `${name}=${JSON.stringify(raw[name])}: ${e.message ?? 'invalid'}`;
    });
    throw new ConfigError(`invalid configuration:\n  ${messages.join('\n  ')}`);
  }
  return raw;
}

function str(raw: RawConfig, name: string): string | null {
  const v = raw[name];
  return typeof v === 'string' ? v : null;
}

function num(raw: RawConfig, name: string, fallback: number): number {
  const v = raw[name];
  return typeof v === 'number' ? v : fallback;
}

/** TRUST_PROXY (the schema checked its shape): "true"/"false", a hop count, or an address list. */
function trustProxy(value: string | null): boolean | number | string {
  if (value === null) return 'loopback';
  if (value === 'true' || value === 'false') return value === 'true';
  return /^[0-9]+$/.test(value) ? Number(value) : value;
}

function bool(raw: RawConfig, name: string, fallback: boolean): boolean {
  const v = raw[name];
  return typeof v === 'boolean' ? v : fallback;
}

/** Outside production, missing secrets are generated once and kept under the data directory. */
function resolveSecrets(
  raw: RawConfig,
  production: boolean,
  dataDir: string,
): { secrets: Secrets; generated: boolean } {
  const given = {
    activityCode: str(raw, 'ACTIVITY_CODE_SECRET'),
    webhook: str(raw, 'WEBHOOK_SECRET'),
    userToken: str(raw, 'USER_TOKEN_SECRET'),
  };
  const names: Record<keyof Secrets, string> = {
    activityCode: 'ACTIVITY_CODE_SECRET',
    webhook: 'WEBHOOK_SECRET',
    userToken: 'USER_TOKEN_SECRET',
  };
  const missing = (Object.keys(given) as Array<keyof Secrets>).filter((k) => given[k] === null);
  if (missing.length === 0) return { secrets: given as Secrets, generated: false };
  if (production) {
    throw new ConfigError(
      `invalid configuration: ${missing.map((k) => names[k]).join(', ')} required when NODE_ENV=production`,
    );
  }
  const file = join(dataDir, 'secrets.json');
  let stored: Partial<Secrets> = {};
  if (existsSync(file)) stored = JSON.parse(readFileSync(file, 'utf8')) as Partial<Secrets>;
  const secrets = { ...given } as Record<keyof Secrets, string | null>;
  let changed = false;
  for (const key of missing) {
    const existing = stored[key];
    if (existing) {
      secrets[key] = existing;
    } else {
      secrets[key] = stored[key] = randomBytes(32).toString('base64url');
      changed = true;
    }
  }
  if (changed) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
  }
  return { secrets: secrets as Secrets, generated: true };
}

export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): Config {
  const raw = readEnv(env);
  const nodeEnv = (str(raw, 'NODE_ENV') ?? 'development') as Config['env'];
  const production = nodeEnv === 'production';
  const dataDir = resolve(cwd, str(raw, 'POCKET_DATA_DIR') ?? 'data');
  const databaseUrl = str(raw, 'DATABASE_URL');
  const { secrets, generated } = resolveSecrets(raw, production, dataDir);
  const issuerUrls: Partial<Record<RewardKind, string>> = {};
  for (const [kind, name] of [
    ['red_packet', 'ISSUER_RED_PACKET_URL'],
    ['coupon', 'ISSUER_COUPON_URL'],
    ['voucher', 'ISSUER_VOUCHER_URL'],
  ] as const) {
    const url = str(raw, name);
    if (url) issuerUrls[kind] = url;
  }
  return {
    env: nodeEnv,
    port: num(raw, 'PORT', 3000),
    trustProxy: trustProxy(str(raw, 'TRUST_PROXY')),
    databaseUrl,
    sqliteFile: join(dataDir, 'pocket.sqlite'),
    redisUrl: str(raw, 'REDIS_URL'),
    dataDir,
    definitionsRoot: resolve(cwd, str(raw, 'POCKET_DEFINITIONS') ?? '.'),
    publishOnStart: bool(raw, 'POCKET_PUBLISH_ON_START', !production),
    profilesFile: resolve(cwd, str(raw, 'PROFILES_FILE') ?? join(dataDir, 'profiles.jsonl')),
    profileUrl: str(raw, 'PROFILE_URL'),
    profileTimeoutMs: num(raw, 'PROFILE_TIMEOUT_MS', 300),
    profileCacheTtlMs: num(raw, 'PROFILE_CACHE_TTL_MS', 5000),
    riskUrl: str(raw, 'RISK_URL'),
    riskTimeoutMs: num(raw, 'RISK_TIMEOUT_MS', 300),
    recommendUrl: str(raw, 'RECOMMEND_URL'),
    recommendTimeoutMs: num(raw, 'RECOMMEND_TIMEOUT_MS', 300),
    issuerUrls,
    issuerTimeoutMs: num(raw, 'ISSUER_TIMEOUT_MS', 2000),
    notifyUrl: str(raw, 'NOTIFY_URL'),
    secrets,
    secretsGenerated: generated,
    reconcileCron: str(raw, 'RECONCILE_CRON') ?? '* * * * *',
    offlineReconcileCron: str(raw, 'OFFLINE_RECONCILE_CRON') ?? '30 3 * * *',
    runWorker: bool(raw, 'POCKET_WORKER', databaseUrl === null),
    logLevel: str(raw, 'LOG_LEVEL') ?? 'info',
    shutdownGraceMs: num(raw, 'SHUTDOWN_GRACE_MS', 10000),
    requireClientAuth: production,
    metricsToken: str(raw, 'METRICS_TOKEN'),
  };
}
