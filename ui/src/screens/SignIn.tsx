import { useState, type FormEvent } from 'react';
import { ApiError, api, type AuthSession } from '../api';
import { AuthLayout } from '../components/AuthLayout';
import { Link } from '../components/Link';
import { paths } from '../router';
import { Field, FormError } from '../components/Form';

export function SignIn({ notice, onSignedIn }: { notice?: string; onSignedIn: (session: AuthSession) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setSubmitting(true);
    setError(null);
    try {
      onSignedIn(await api.login(email.trim(), password));
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.message : 'Sign-in failed. Please try again.');
      setPassword('');
      setSubmitting(false);
    }
  };

  return (
    <AuthLayout title="Sign in">
      {notice && !error ? (
        <p className="notice" role="status">
          {notice}
        </p>
      ) : null}
      <form onSubmit={onSubmit} className="form" aria-label="Sign in">
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
        <Field label="Password">
          <input
            type="password"
            name="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </Field>
        <FormError message={error} testId="sign-in-error" />
        <button type="submit" className="button button-primary" disabled={submitting}>
          {submitting ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p className="auth-footer">
        <Link to={paths['forgot-password']}>Forgot your password?</Link>
      </p>
    </AuthLayout>
  );
}
