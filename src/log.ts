/** The one structured logger. JSON lines; children carry a connection or request id. */
import pino, { type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, name = 'p88'): Logger {
  return pino({
    name,
    level,
    // Secrets never reach a log line, even when a whole object is logged by mistake.
    redact: {
      paths: ['password', 'secret', '*.password', '*.secret', 'authorization', '*.authorization', 'DATABASE_URL', 'STRIPE_WEBHOOK_SECRET', 'SECRET_KEY', 'SMTP_URL', 'cookie', '*.cookie', 'headers.cookie', 'req.headers.cookie', 'req.headers.authorization'],
      censor: '[redacted]',
    },
  });
}
