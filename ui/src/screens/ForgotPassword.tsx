import { useState, type FormEvent } from 'react';
import { ApiError, api } from '../api';
import { AuthLayout } from '../components/AuthLayout';
import { Link } from '../components/Link';
import { paths } from '../router';
import { Field, FormError } from '../components/Form';

/**
 * Asks for a reset link. The confirmation is the same whether or not the address has an account,
 * so the form cannot be used to find out who does.
 */
export function ForgotPassword() {
  const [email, setEmail] = useState('');
  const [submitting, setSubmitting] = useState(false);
  const [sent, setSent] = useState<'mail' | 'log' | null>(null);
  const [error, setError] = useState<string | null>(null);

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setSubmitting(true);
    setError(null);
    try {
      const answer = await api.requestPasswordReset(email.trim());
      setSent(answer.delivery === 'log' ? 'log' : 'mail');
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.message : 'The request failed. Please try again.');
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <AuthLayout title="Reset your password">
      {sent === 'mail' ? (
        <div className="notice" role="status" data-testid="reset-confirmation">
          If an account exists for that address, we have sent it a link to choose a new password. The link
          expires soon; check your spam folder if it does not arrive.
        </div>
      ) : sent === 'log' ? (
        // Not shown here: anyone may ask, and the link would let them in.
        <div className="notice" role="status" data-testid="reset-confirmation">
          This server sends no mail (no SMTP configured). If an account exists for that address, its reset link has been
          written to the server’s log: ask whoever runs this server for it, or an owner or admin of your company to invite
          you again. The link expires soon.
        </div>
      ) : (
        <form onSubmit={onSubmit} className="form" aria-label="Reset your password">
          <p className="muted">Enter the email you sign in with and we will send you a link to choose a new password.</p>
          <Field label="Email">
            <input
              type="email"
              name="email"
              autoComplete="username"
              required
              autoFocus
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
          </Field>
          <FormError message={error} />
          <button type="submit" className="button button-primary" disabled={submitting}>
            {submitting ? 'Sending…' : 'Send reset link'}
          </button>
        </form>
      )}
      <p className="auth-footer">
        <Link to={paths['sign-in']}>Back to sign in</Link>
      </p>
    </AuthLayout>
  );
}
