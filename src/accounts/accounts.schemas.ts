/**
 * Request and response schemas of the accounts API (sign-in, API tokens, users,
 * invitations, password reset). They validate, serialize and document in one place.
 */
import { z } from 'zod';
import { PASSWORD_MAX } from './passwords.js';
import { ACTIONS, PARTNER_ROLES, ROLES, TOKEN_SCOPES } from '../shared/permissions.js';

const MAX_INT4 = 2_147_483_647;

const email = z.string().trim().min(3).max(254).describe('Email address (case does not matter)');
const newPassword = z.string().min(1).max(PASSWORD_MAX).describe('At least 10 characters');
const linkToken = z.string().min(1).max(200).describe('The token from the link (after #token=)');

export const idParamsSchema = z.object({ id: z.coerce.number().int().min(1).max(MAX_INT4) });

export const userSchema = z
  .object({
    id: z.number().int(),
    email: z.string(),
    name: z.string(),
    role: z.enum(ROLES),
    partner_id: z.number().int().nullable().describe('null for platform admins'),
    disabled: z.boolean(),
    last_login_at: z.date().nullable(),
    created_at: z.date(),
  })
  .meta({ id: 'User' });

export const partnerSchema = z.object({ id: z.number().int(), slug: z.string(), name: z.string() }).meta({ id: 'Partner' });

export const loginBodySchema = z.object({
  email: z.string().min(1).max(320),
  password: z.string().min(1).max(PASSWORD_MAX),
});

export const loginResponseSchema = z.object({
  user: userSchema,
  partner: partnerSchema.nullable().describe('null for platform admins'),
  csrf_token: z.string().describe('Send as the x-csrf-token header on every POST/PUT/PATCH/DELETE made with the cookie'),
  expires_at: z.date().describe('When the session ends'),
});

export const meResponseSchema = z.object({
  via: z.enum(['session', 'token']),
  user: userSchema.nullable().describe('null for an API token'),
  partner: partnerSchema.nullable(),
  role: z.enum(ROLES).nullable().describe('null for an API token'),
  scopes: z.array(z.enum(ACTIONS)).describe('Actions the caller may perform'),
  csrf_token: z.string().nullable().describe('The session CSRF token; null for an API token'),
});

export const createTokenBodySchema = z.object({
  name: z.string().trim().min(1).max(100),
  scopes: z.array(z.enum(TOKEN_SCOPES)).min(1).max(TOKEN_SCOPES.length),
  expires_in_days: z.number().int().min(1).max(3650).optional().describe('Default: never expires'),
});

export const tokenSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    token_hint: z.string().describe('The first characters of the token'),
    scopes: z.array(z.enum(TOKEN_SCOPES)),
    created_by: z.number().int().nullable(),
    created_at: z.date(),
    expires_at: z.date().nullable(),
    last_used_at: z.date().nullable().describe('Updated at most once a minute'),
    revoked_at: z.date().nullable(),
  })
  .meta({ id: 'ApiToken' });

export const createdTokenSchema = z.object({
  token: tokenSchema,
  secret: z.string().describe('The bearer token. Shown only in this answer: store it now'),
});

export const tokensSchema = z.object({ tokens: z.array(tokenSchema) });
export const usersSchema = z.object({ users: z.array(userSchema) });

export const createInvitationBodySchema = z.object({ email, role: z.enum(PARTNER_ROLES) });

export const invitationSchema = z
  .object({
    id: z.number().int(),
    email: z.string(),
    role: z.enum(PARTNER_ROLES),
    invited_by: z.number().int().nullable(),
    created_at: z.date(),
    expires_at: z.date(),
    accepted_at: z.date().nullable(),
    revoked_at: z.date().nullable(),
  })
  .meta({ id: 'Invitation' });

export const createdInvitationSchema = z.object({
  invitation: invitationSchema,
  accept_url: z
    .string()
    .nullable()
    .describe('The link, only when mail cannot deliver it (no SMTP: also in the server log); null when it was mailed to the invitee alone'),
  delivery: z.enum(['mail', 'log']).describe('mail: sent to the invitee by SMTP; log: no SMTP, written to the server log'),
});
export const invitationsSchema = z.object({ invitations: z.array(invitationSchema) });

export const acceptInvitationBodySchema = z.object({
  token: linkToken,
  password: newPassword,
  name: z.string().trim().max(200).optional(),
});
export const acceptedInvitationSchema = z.object({ user: userSchema });

export const resetRequestBodySchema = z.object({ email });
export const resetRequestResponseSchema = z.object({
  accepted: z.literal(true).describe('Always true: the answer does not tell whether the email has an account'),
  delivery: z
    .enum(['mail', 'log'])
    .describe("How this server sends links (the same for every address): mail by SMTP, or log (no SMTP: the link is in the server's log)"),
});
export const resetConfirmBodySchema = z.object({ token: linkToken, password: newPassword });

export const changePasswordBodySchema = z.object({
  current_password: z.string().min(1).max(PASSWORD_MAX),
  new_password: newPassword,
});

export const auditQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100).describe('How many entries, newest first'),
});

export const auditSchema = z.object({
  entries: z.array(
    z.object({
      id: z.number().int(),
      user_id: z.number().int().nullable(),
      actor: z.string().describe("'user:<id>', 'token:<id>', 'system' or 'anonymous'"),
      action: z.string().describe('e.g. auth.login.failed, token.created'),
      target: z.string().nullable(),
      ip: z.string().nullable(),
      detail: z.record(z.string(), z.unknown()),
      created_at: z.date(),
    }),
  ),
});

export const updateUserBodySchema = z
  .object({
    role: z.enum(PARTNER_ROLES).optional(),
    disabled: z.boolean().optional().describe('true signs the user out everywhere and refuses sign-in'),
  })
  .refine((b) => b.role !== undefined || b.disabled !== undefined, 'Give role or disabled');
export const updatedUserSchema = z.object({ user: userSchema });

export const createPartnerBodySchema = z.object({
  slug: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and dashes').describe('Unique, e.g. for a subdomain'),
  name: z.string().trim().min(1).max(200),
});
export const partnersSchema = z.object({ partners: z.array(partnerSchema) });
export const createdPartnerSchema = z.object({ partner: partnerSchema });
