import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, api } from '../api';
import { AuthLayout } from '../components/AuthLayout';
import { Link } from '../components/Link';
import { NewPasswordFields, newPasswordProblem } from '../components/NewPasswordFields';
import { forgetLinkToken, paths, readLinkToken } from '../router';
import { FormError } from '../components/Form';

/** Opened from the mailed reset link (/reset-password#token=…): choose a new password. */
export function ResetPassword() {
  const [token] = useState(readLinkToken);
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [invalidLink, setInvalidLink] = useState(false);
  const [done, setDone] = useState(false);
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
      await api.confirmPasswordReset(token, password);
      setDone(true);
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.message : 'The request failed. Please try again.');
      if (caught instanceof ApiError && caught.status === 404) setInvalidLink(true);
    } finally {
      setSubmitting(false);
    }
  };

  if (!token) {
    return (
      <AuthLayout title="Choose a new password">
        <p className="form-error" role="alert">
          This link is incomplete. Open the link from the email again, or ask for a new one.
        </p>
        <p className="auth-footer">
          <Link to={paths['forgot-password']}>Ask for a new link</Link>
        </p>
      </AuthLayout>
    );
  }
  if (done) {
    return (
      <AuthLayout title="Password changed">
        <p className="notice" role="status" data-testid="reset-done">
          Your password is changed and every session is signed out. Sign in with the new one.
        </p>
        <p className="auth-footer">
          <Link to={paths['sign-in']}>Sign in</Link>
        </p>
      </AuthLayout>
    );
  }
  return (
    <AuthLayout title="Choose a new password">
      <form onSubmit={onSubmit} className="form" aria-label="Choose a new password">
        <NewPasswordFields password={password} again={again} onPassword={setPassword} onAgain={setAgain} />
        <FormError message={error} testId="reset-error" />
        <button type="submit" className="button button-primary" disabled={submitting || invalidLink}>
          {submitting ? 'Saving…' : 'Set new password'}
        </button>
      </form>
      <p className="auth-footer">
        {invalidLink ? <Link to={paths['forgot-password']}>Ask for a new link</Link> : <Link to={paths['sign-in']}>Back to sign in</Link>}
      </p>
    </AuthLayout>
  );
}
