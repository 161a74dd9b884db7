import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, api, type User } from '../api';
import { AuthLayout } from '../components/AuthLayout';
import { Link } from '../components/Link';
import { NewPasswordFields, newPasswordProblem } from '../components/NewPasswordFields';
import { roleLabel } from '../permissions';
import { forgetLinkToken, paths, readLinkToken } from '../router';
import { Field, FormError } from '../components/Form';

/** Opened from the mailed invitation (/accept-invitation#token=…): name and password, then sign in. */
export function AcceptInvitation() {
  const [token] = useState(readLinkToken);
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [invalidLink, setInvalidLink] = useState(false);
  const [user, setUser] = useState<User | null>(null);
  useEffect(forgetLinkToken, []);

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!token) return;
    const problem = newPasswordProblem(password, again);
    if (problem) {
      setError(problem);
      return;
    }
    setSubmitting(true);
    setError(null);
    try {
      const accepted = await api.acceptInvitation(token, password, name.trim() || undefined);
      setUser(accepted.user);
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.message : 'The request failed. Please try again.');
      if (caught instanceof ApiError && (caught.status === 404 || caught.status === 409)) setInvalidLink(true);
    } finally {
      setSubmitting(false);
    }
  };

  if (!token) {
    return (
      <AuthLayout title="Join your team">
        <p className="form-error" role="alert">
          This invitation link is incomplete. Open the link from the email again, or ask whoever invited you to send a
          new one.
        </p>
      </AuthLayout>
    );
  }
  if (user) {
    return (
      <AuthLayout title="Welcome aboard">
        <p className="notice" role="status" data-testid="invitation-accepted">
          Your account is ready: you can sign in as <strong>{user.email}</strong> ({roleLabel(user.role)}).
        </p>
        <p className="auth-footer">
          <Link to={paths['sign-in']}>Sign in</Link>
        </p>
      </AuthLayout>
    );
  }
  return (
    <AuthLayout title="Join your team">
      <form onSubmit={onSubmit} className="form" aria-label="Accept the invitation">
        <p className="muted">You were invited to Project88Hub. Choose how you will sign in.</p>
        <Field label="Your name">
          <input name="name" autoComplete="name" maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <NewPasswordFields password={password} again={again} onPassword={setPassword} onAgain={setAgain} />
        <FormError message={error} testId="accept-error" />
        <button type="submit" className="button button-primary" disabled={submitting || invalidLink}>
          {submitting ? 'Creating your account…' : 'Create my account'}
        </button>
      </form>
      <p className="auth-footer">
        <Link to={paths['sign-in']}>Already have an account? Sign in</Link>
      </p>
    </AuthLayout>
  );
}
