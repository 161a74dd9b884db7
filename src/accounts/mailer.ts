/**
 * Outgoing mail for password resets and invitations. Without SMTP configured, messages go to
 * the server log, where the platform admin can read the link and pass it on.
 */
import type { Logger } from '../log.js';

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  send(mail: Mail): Promise<void>;
  /**
   * Whether mail reaches its addressee (SMTP). When false (the log), whoever acts must be
   * handed the link instead: there is no other way for it to arrive.
   */
  readonly delivers: boolean;
}

/** Writes each message to the log (warn, so it shows at every usual level). */
export function logMailer(log: Pick<Logger, 'warn'>): Mailer {
  return {
    delivers: false,
    async send(mail) {
      log.warn({ mail_to: mail.to, mail_subject: mail.subject, mail_text: mail.text }, 'mail not sent (no SMTP configured): delivered to this log');
    },
  };
}

export interface SmtpOptions {
  /** smtp://user:pass@host:587 (STARTTLS when offered) or smtps://user:pass@host:465 */
  url: string;
  /** The From address, e.g. "Project88Hub <no-reply@project88hub.com>" */
  from: string;
}

/** Sends through an SMTP server (nodemailer, loaded only when configured). */
export function smtpMailer(opts: SmtpOptions): Mailer {
  const transport = import('nodemailer').then((m) => m.createTransport(opts.url));
  return {
    delivers: true,
    async send(mail) {
      await (await transport).sendMail({ from: opts.from, to: mail.to, subject: mail.subject, text: mail.text });
    },
  };
}
