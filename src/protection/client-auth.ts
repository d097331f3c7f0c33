/**
 * Client identity (DESIGN.md "Clients and identity") for the participation and user-grants endpoints:
 * - `Authorization: Bearer pk_…` with scope participate → a trusted gateway, which may act for any user;
 * - `Authorization: Bearer <JWT>` (HS256, USER_TOKEN_SECRET or, during a rotation, USER_TOKEN_SECRET_PREVIOUS,
 *   `sub` = the user, `exp` required, at most 7 days ahead; `aud`/`iss` one of
 *   USER_TOKEN_AUDIENCE/USER_TOKEN_ISSUER's, when set) → that user only: a request for
 *   another user is 403 `user_mismatch` (it is not that user's participation, so the refusal is never stored as
 *   that user's answer);
 * - no credentials → anonymous: 401 when client auth is required (NODE_ENV=production), accepted otherwise;
 * - anything else → 401 `unauthenticated`; an API token without scope participate → 403 `forbidden_scope`.
 * The identity goes to `res.locals.client` (ClientIdentity) for the controllers. For participations a refusal
 * is deferred to the pipeline's client-auth step (after the idempotency lookup, the campaign, liveness and
 * rate limits: DESIGN.md's binding order); for user grants it is answered at once.
 */
import type { Request, RequestHandler } from 'express';
import jwt from 'jsonwebtoken';
import type { UserTokenClaims } from '../config';
import { AppError, ForbiddenError, UnauthenticatedError } from '../errors/app-error';
import type { ClientIdentity } from '../participation/participation-request';
import { bearerToken } from './bearer-token';
import type { TokenVerifier } from './token-verifier';
import { USER_ID, USER_ID_RULE } from '../shared/user-id';

export interface ClientAuthOptions {
  verifier: TokenVerifier;
  /** USER_TOKEN_SECRET, then USER_TOKEN_SECRET_PREVIOUS while it is set: a token signed with either is accepted. */
  userTokenSecrets: readonly string[];
  /** The `aud` and `iss` a user token must carry (USER_TOKEN_AUDIENCE, USER_TOKEN_ISSUER); unset: any. */
  userTokenClaims?: UserTokenClaims;
  /** Anonymous calls are refused (NODE_ENV=production). */
  required: boolean;
}

const ANONYMOUS: ClientIdentity = Object.freeze({ kind: 'anonymous', id: null });

/**
 * The longest an end-user token may still be valid: an `exp` further ahead is refused, since a token that lives
 * for years is as dangerous once leaked as one without expiry.
 */
export const USER_TOKEN_MAX_LIFETIME_S = 7 * 24 * 3600;

/**
 * The clock skew allowed between the token's issuer and pocket, in seconds: on `exp` and `nbf` (jsonwebtoken's
 * clockTolerance), on `iat` and on the lifetime cap alike, so a 7-day token from an issuer whose clock runs a
 * second ahead is not refused.
 */
const CLOCK_TOLERANCE_S = 5;

const ANY_CLAIMS: UserTokenClaims = Object.freeze({ audience: [], issuer: [] });

/** A list as jsonwebtoken's `audience`/`issuer` options take it: undefined (not checked) when empty. */
function expected(list: readonly string[]): [string, ...string[]] | undefined {
  const [first, ...rest] = list;
  return first === undefined ? undefined : [first, ...rest];
}

/** The subject of an accepted user token, or the message its 401 gives. */
export type UserTokenCheck = { sub: string } | { refused: string };

const refused = (why: string): UserTokenCheck => ({ refused: `invalid user token: ${why}` });

/**
 * jsonwebtoken's refusals, by its documented messages ("jwt expired", "invalid algorithm", "jwt audience invalid.
 * expected: …"…), in words an app team can act on without guessing; anything else is "not a valid JWT".
 */
function refusalOf(error: unknown): UserTokenCheck {
  if (error instanceof jwt.TokenExpiredError) return refused('it has expired (exp)');
  if (error instanceof jwt.NotBeforeError) return refused('it is not valid yet (nbf)');
  const message = error instanceof jwt.JsonWebTokenError ? error.message : '';
  if (message.startsWith('jwt audience invalid')) {
    return { refused: 'the user token is not for this service: its aud is not one pocket accepts' };
  }
  if (message.startsWith('jwt issuer invalid')) {
    return { refused: 'the user token is not from an issuer pocket accepts (iss)' };
  }
  if (message === 'invalid algorithm' || message === 'jwt signature is required') {
    return refused('it must be signed with HS256 (alg)');
  }
  if (message === 'invalid signature') {
    return refused('its signature does not verify with the user token secret');
  }
  if (message === 'invalid exp value') return refused('its exp must be a number of seconds');
  if (message === 'invalid nbf value') return refused('its nbf must be a number of seconds');
  return refused('it is not a valid JWT');
}

/**
 * Checks an end-user JWT. Refused besides a bad signature or an expired token: no `exp`, an `exp` more than
 * USER_TOKEN_MAX_LIFETIME_S ahead, an `iat` more than the clock tolerance ahead, a `crit` header (RFC 7515: extensions the recipient does not understand must be
 * refused, and pocket understands none), and, when `claims` name them, an `aud` none of `claims.audience` (a token
 * the same identity service minted for another app with the same secret) or an `iss` none of `claims.issuer`.
 * Each refusal says which check failed. `secrets`: the current secret, then the previous one during a rotation;
 * a token signed with any of them is accepted, and is then held to the same checks.
 */
export function verifyUserToken(
  token: string,
  secrets: string | readonly string[],
  claims: UserTokenClaims = ANY_CLAIMS,
  nowMs = Date.now(),
): UserTokenCheck {
  const options: jwt.VerifyOptions & { complete: true } = {
    algorithms: ['HS256'],
    audience: expected(claims.audience),
    issuer: expected(claims.issuer),
    clockTolerance: CLOCK_TOLERANCE_S,
    clockTimestamp: Math.floor(nowMs / 1000),
    complete: true,
  };
  let verified: jwt.Jwt | undefined;
  let refusal: unknown;
  // jsonwebtoken checks the signature before the claims: any refusal but "invalid signature" means the token was
  // signed with that secret, and is final.
  for (const secret of typeof secrets === 'string' ? [secrets] : secrets) {
    try {
      verified = jwt.verify(token, secret, options);
      break;
    } catch (error) {
      refusal = error;
      if (!(error instanceof jwt.JsonWebTokenError && error.message === 'invalid signature')) break;
    }
  }
  if (verified === undefined) return refusalOf(refusal);
  const { header, payload } = verified;
  if (typeof payload !== 'object') return refused('its payload is not a JSON object of claims');
  if ('crit' in header) return refused('it has a crit header, whose extensions pocket does not understand');
  const { sub, exp, iat } = payload;
  if (typeof exp !== 'number') return refused('it has no exp (an expiry at most 7 days ahead is required)');
  if (exp > nowMs / 1000 + USER_TOKEN_MAX_LIFETIME_S + CLOCK_TOLERANCE_S) {
    return refused('its exp is more than 7 days ahead');
  }
  // Optional, but when there it must be a time that has come: a token "issued" tomorrow is forged or minted by
  // an issuer whose clock is wrong, and in either case its other times cannot be trusted.
  if (iat !== undefined && typeof iat !== 'number') return refused('its iat must be a number of seconds');
  if (iat !== undefined && iat > nowMs / 1000 + CLOCK_TOLERANCE_S) {
    return refused('it was issued in the future (iat)');
  }
  if (typeof sub !== 'string' || !USER_ID.test(sub)) {
    return refused(`its sub must be a user id: ${USER_ID_RULE}`);
  }
  return { sub };
}

async function identify(
  token: string | null | undefined,
  options: ClientAuthOptions,
): Promise<ClientIdentity> {
  if (token === undefined) {
    if (options.required) throw new UnauthenticatedError('client credentials are required');
    return ANONYMOUS;
  }
  if (token === null) throw new UnauthenticatedError('malformed Authorization header', 'invalid_request');
  if (token.startsWith('pk_')) {
    const verified = await options.verifier.verify(token);
    if (!verified) throw new UnauthenticatedError('invalid client token', 'invalid_token');
    if (!verified.scopes.includes('participate')) {
      throw new ForbiddenError('forbidden_scope', 'this token is not a client token (scope participate)');
    }
    return { kind: 'gateway', id: verified.id };
  }
  const checked = verifyUserToken(token, options.userTokenSecrets, options.userTokenClaims);
  if ('refused' in checked) throw new UnauthenticatedError(checked.refused, 'invalid_token');
  return { kind: 'user', id: checked.sub };
}

async function authenticate(
  req: Request,
  token: string | null | undefined,
  options: ClientAuthOptions,
  subjectOf: (req: Request) => unknown,
): Promise<ClientIdentity> {
  const client = await identify(token, options);
  const subject = subjectOf(req);
  if (client.kind === 'user' && typeof subject === 'string' && subject !== client.id) {
    throw new ForbiddenError('user_mismatch', 'the user token belongs to another user');
  }
  return client;
}

/**
 * `subjectOf` names the user the request acts for (body userId, path userId), when it is readable.
 * `defer`: a refusal (AppError) is not answered here but left in `res.locals.clientRefusal` for the pipeline,
 * which answers it at its client-auth step (participations); otherwise it is answered at once (user grants).
 */
export function authenticateClient(
  options: ClientAuthOptions,
  subjectOf: (req: Request) => unknown,
  defer = false,
): RequestHandler {
  return async (req, res, next) => {
    // Two Authorization headers: a malformed request, answered at once (400), never deferred as a refusal.
    const token = bearerToken(req);
    try {
      res.locals['client'] = await authenticate(req, token, options, subjectOf);
    } catch (error) {
      if (!defer || !(error instanceof AppError)) throw error;
      res.locals['client'] = ANONYMOUS;
      res.locals['clientRefusal'] = error;
    }
    next();
  };
}
