import type { Cluster, Redis } from 'ioredis';
import {
  AVAILABILITY_LUA,
  CONFIRM_LUA,
  INITIALIZE_LUA,
  INVALIDATE_LUA,
  READ_COUNTERS_LUA,
  RELEASE_LUA,
  RESERVATIONS_LUA,
  RESERVE_LUA,
} from './redis-counter-scripts';
import { BEGIN_LUA, END_LUA, PRIME_USER_LUA } from './redis-session-scripts';

/** Every hot-state script, by the command name it is defined under on the ioredis client. */
const REDIS_SCRIPTS = {
  pocketHotReserve: RESERVE_LUA,
  pocketHotRelease: RELEASE_LUA,
  pocketHotConfirm: CONFIRM_LUA,
  pocketHotReservations: RESERVATIONS_LUA,
  pocketHotAvailability: AVAILABILITY_LUA,
  pocketHotReadCounters: READ_COUNTERS_LUA,
  pocketHotInitialize: INITIALIZE_LUA,
  pocketHotInvalidate: INVALIDATE_LUA,
  pocketHotBegin: BEGIN_LUA,
  pocketHotEnd: END_LUA,
  pocketHotPrimeUser: PRIME_USER_LUA,
} as const;

export type RedisScriptName = keyof typeof REDIS_SCRIPTS;

export type RunScript = (
  name: RedisScriptName,
  keys: readonly string[],
  args: ReadonlyArray<string | number>,
) => Promise<unknown>;

type DefinedScript = (numKeys: number, ...keysAndArgs: Array<string | number>) => Promise<unknown>;

/**
 * Defines the scripts on the client (ioredis sends EVALSHA and falls back to EVAL once after NOSCRIPT, e.g. after
 * a Redis restart) and returns a runner: one script call, one round trip.
 */
export function defineRedisScripts(client: Redis | Cluster): RunScript {
  for (const [name, lua] of Object.entries(REDIS_SCRIPTS)) client.defineCommand(name, { lua });
  const commands = client as unknown as Record<RedisScriptName, DefinedScript>;
  return (name, keys, args) => commands[name].call(client, keys.length, ...keys, ...args);
}
