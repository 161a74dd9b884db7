/** The one structured logger. JSON lines; children carry a connection or request id. */
import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Services log to stdout (journald and container runtimes collect it); one-shot commands log to
 * stderr, because their stdout is their result.
 */
export function createLogger(level: string, name = 'p88', to: 'stdout' | 'stderr' = 'stdout'): Logger {
  const options: pino.LoggerOptions = {
    name,
    level,
    // Secrets never reach a log line, even when a whole object is logged by mistake.
    redact: {
      paths: ['password', 'secret', '*.password', '*.secret', 'authorization', '*.authorization', 'DATABASE_URL', 'DATABASE_READ_URL', 'STRIPE_WEBHOOK_SECRET', 'METRICS_TOKEN', 'SECRET_KEY', 'SMTP_URL', 'LLM_API_KEY', 'apiKey', '*.apiKey', 'cookie', '*.cookie', 'headers.cookie', 'req.headers.cookie', 'req.headers.authorization'],
      censor: '[redacted]',
    },
  };
  return to === 'stderr' ? pino(options, pino.destination({ dest: 2, sync: true })) : pino(options);
}
