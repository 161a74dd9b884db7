/** "New password" twice, with the server's minimum checked before sending. */
import { Field } from './Form';
export const PASSWORD_MIN = 10;

export function newPasswordProblem(password: string, again: string): string | null {
  if (password.length < PASSWORD_MIN) return `Use at least ${PASSWORD_MIN} characters.`;
  if (password !== again) return 'The two passwords are not the same.';
  return null;
}

export function NewPasswordFields({
  password,
  again,
  onPassword,
  onAgain,
}: {
  password: string;
  again: string;
  onPassword: (v: string) => void;
  onAgain: (v: string) => void;
}) {
  return (
    <>
      <Field label="New password">
        <input
          type="password"
          name="new-password"
          autoComplete="new-password"
          required
          value={password}
          onChange={(e) => onPassword(e.target.value)}
        />
      </Field>
      <Field label="Repeat the new password">
        <input
          type="password"
          name="new-password-again"
          autoComplete="new-password"
          required
          value={again}
          onChange={(e) => onAgain(e.target.value)}
        />
      </Field>
      <p className="muted small">At least {PASSWORD_MIN} characters; a few unrelated words make a good one.</p>
    </>
  );
}
