/**
 * API tokens for a partner's integrations: a token carries scopes no wider than its
 * creator's role, its secret is shown once and only its hash is kept, and a bearer secret is
 * turned back into the caller it stands for (authenticate).
 */
import type { Database } from '../db/database.js';
import type { SqlGate } from '../db/gate.js';
import { withPartner } from '../db/tenant.js';
import { AppError } from '../errors.js';
import { authorize, can, canGrantScopes, isRole, ROLES, type Action, type TokenScope } from '../shared/permissions.js';
import { actorOf, partnerOf, type Auth, type RequestContext } from './accounts.common.js';
import * as repo from './api-tokens.repo.js';
import { recordAudit } from './audit.service.js';
import { API_TOKEN_PREFIX, hashSecret, looksLikeSecret, newSecret } from './secrets.js';

export type ApiTokenView = repo.ApiTokenRow;

/** A token's last_used_at is written at most this often per token by one process. */
export const TOKEN_USE_WRITE_INTERVAL_MS = 60_000;

/**
 * When each token's use was last written by this process. The write is the only throttled
 * part of a call: the lookup (revocation, expiry, the creator's state) runs every time, so
 * the dashboard's "last used" lags a token's real last use by at most a minute per process.
 */
export class TokenUseRecorder {
  private readonly writtenAt = new Map<number, number>();
  constructor(
    private readonly db: Database,
    private readonly intervalMs = TOKEN_USE_WRITE_INTERVAL_MS,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Writes the use unless this process wrote it within the interval (then no database work). */
  async record(partnerId: number, tokenId: number): Promise<void> {
    const now = this.clock();
    const last = this.writtenAt.get(tokenId);
    if (last !== undefined && now - last < this.intervalMs) return;
    this.writtenAt.set(tokenId, now);
    if (this.writtenAt.size > 10_000) this.prune(now);
    try {
      await withPartner(this.db, partnerId, (tx) => repo.touchApiToken(tx, partnerId, tokenId));
    } catch (err) {
      // Not written: the next call tries again.
      if (this.writtenAt.get(tokenId) === now) this.writtenAt.delete(tokenId);
      throw err;
    }
  }

  private prune(now: number): void {
    for (const [id, at] of this.writtenAt) if (now - at >= this.intervalMs) this.writtenAt.delete(id);
  }
}

/** Tokens this process keeps for the gate (most recently authenticated); older ones are checked in full again. */
const KNOWN_TOKENS_MAX = 10_000;

/** A token this process has authenticated in full, to be checked again by a gate in the caller's statement. */
export interface KnownToken {
  /** The caller as of the last full check: only the gate's action is checked again on each call. */
  auth: Auth;
  gate: SqlGate;
  /** Forget the token (the gate refused it): its next call is checked in full. */
  forget: () => void;
}

export class ApiTokens {
  private readonly uses: TokenUseRecorder;
  /** Hash → the caller of tokens that passed authenticate() here (a token's partner and id never change). */
  private readonly known = new Map<string, Auth>();
  constructor(
    private readonly db: Database,
    uses?: TokenUseRecorder,
  ) {
    this.uses = uses ?? new TokenUseRecorder(db);
  }

  /** A new token for the caller's partner; the secret is in the answer only. */
  async create(
    auth: Auth,
    input: { name: string; scopes: TokenScope[]; expiresInDays?: number | undefined },
    ctx: RequestContext,
  ): Promise<{ token: ApiTokenView; secret: string }> {
    const partnerId = partnerOf(auth);
    if (auth.role === null || !canGrantScopes(auth.role, input.scopes)) {
      throw new AppError('forbidden', 'A token cannot have a scope its creator does not hold.');
    }
    const secret = newSecret(API_TOKEN_PREFIX);
    const scopes = [...new Set(input.scopes)];
    const expiresAt = input.expiresInDays === undefined ? null : new Date(Date.now() + input.expiresInDays * 24 * 3600_000);
    const token = await withPartner(this.db, partnerId, async (tx) => {
      const row = await repo.insertApiToken(tx, {
        partnerId,
        name: input.name,
        tokenHash: hashSecret(secret),
        tokenHint: secret.slice(0, API_TOKEN_PREFIX.length + 6),
        scopes,
        createdBy: auth.userId,
        expiresAt,
      });
      await recordAudit(tx, { partnerId, userId: auth.userId, actor: actorOf(auth), action: 'token.created', target: `token:${row.id}`, detail: { name: input.name, scopes } }, ctx);
      return row;
    });
    return { token, secret };
  }

  async list(auth: Auth): Promise<ApiTokenView[]> {
    const partnerId = partnerOf(auth);
    return withPartner(this.db, partnerId, (tx) => repo.listApiTokens(tx, partnerId));
  }

  /** Revokes one of the partner's tokens; 404 for an unknown id, another partner's or a revoked one. */
  async revoke(auth: Auth, id: number, ctx: RequestContext): Promise<void> {
    const partnerId = partnerOf(auth);
    await withPartner(this.db, partnerId, async (tx) => {
      if (!(await repo.revokeApiToken(tx, partnerId, id))) throw new AppError('not_found', 'Token not found.');
      await recordAudit(tx, { partnerId, userId: auth.userId, actor: actorOf(auth), action: 'token.revoked', target: `token:${id}` }, ctx);
    });
  }

  /**
   * The caller behind a bearer value, or null when the token is unknown, revoked or expired,
   * or its creator is disabled or deleted. A token acts only within its creator's rights at
   * the time of each call: its scopes are intersected with what the creator's role holds now,
   * so a demotion narrows every token the user made at once, and a promotion never widens one
   * beyond the scopes it was given. (Chosen over revoking tokens on demotion: a demotion that
   * is undone gives the integration back its token, and no code path that changes a role or
   * disables a user can forget to revoke.)
   */
  async authenticate(secret: string): Promise<Auth | null> {
    if (!looksLikeSecret(secret, API_TOKEN_PREFIX)) return null;
    const t = await repo.findApiToken(this.db, hashSecret(secret));
    if (!t) return null;
    const role = t.creator_role;
    // No creator: the operator's console token, within the scopes it was given.
    if (role !== null && !isRole(role)) return null;
    await this.uses.record(t.partner_id, t.token_id);
    const auth: Auth = {
      userId: t.created_by,
      partnerId: t.partner_id,
      role: null,
      via: 'token',
      scopes: (t.scopes as Action[]).filter((s) => role === null || can(role, s)),
      sessionId: null,
      tokenId: t.token_id,
    };
    const hash = hashSecret(secret);
    this.known.delete(hash);
    if (this.known.size >= KNOWN_TOKENS_MAX) this.known.delete(this.known.keys().next().value!);
    this.known.set(hash, auth);
    return auth;
  }

  /**
   * A bearer secret this process has authenticated in full and that then held `action`: the
   * caller as it was, and a gate (db/gate.ts) for the caller's own statement that holds only
   * while the token still does — not revoked or expired, its creator active, in the same
   * partner and with a role that holds the action now (tokenGateCondition). Null otherwise:
   * the caller then authenticates in full. A statement the gate refused answers nothing; the
   * caller forgets the token and authenticates in full, which gives the 401 or 403.
   *
   * What this saves is the lookup's round trip and statement before each call; what it keeps
   * is that every call is judged by the token's and its creator's state at that call.
   */
  gateFor(secret: string, action: Action): KnownToken | null {
    if (!looksLikeSecret(secret, API_TOKEN_PREFIX)) return null;
    const hash = hashSecret(secret);
    const auth = this.known.get(hash);
    if (!auth || auth.partnerId === null || auth.tokenId === null || !authorize(auth, action)) return null;
    const roles = ROLES.filter((r) => can(r, action)).join(',');
    // Written at most once a minute (the same as authenticate); the gate itself writes nothing.
    void this.uses.record(auth.partnerId, auth.tokenId).catch(() => undefined);
    return {
      auth,
      gate: { condition: (first) => repo.tokenGateCondition(first), params: [hash, auth.tokenId, auth.partnerId, action, roles] },
      forget: () => void this.known.delete(hash),
    };
  }
}
