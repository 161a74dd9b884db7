/** Form pieces every screen writes the same way: a labelled field, the form's error, a create-by-name form. */
import { Children, cloneElement, isValidElement, useId, type FormEvent, type ReactElement, type ReactNode } from 'react';

/**
 * A control with its label's text above it. The label points at the control (for/id) rather
 * than wrapping it: a label wrapping a select gave the select an accessible name made of the
 * label and every one of its options.
 */
export function Field({ label, grow = false, children }: { label: ReactNode; grow?: boolean; children: ReactNode }) {
  const fallbackId = useId();
  const className = grow ? 'field grow' : 'field';
  const only = Children.count(children) === 1 && isValidElement(children) ? (children as ReactElement<{ id?: string }>) : null;
  if (!only) {
    return (
      <label className={className}>
        <span>{label}</span>
        {children}
      </label>
    );
  }
  const id = only.props.id ?? fallbackId;
  return (
    <div className={className}>
      <label htmlFor={id}>{label}</label>
      {cloneElement(only, { id })}
    </div>
  );
}

/** Why the form did not go through, announced at once; nothing while there is no message. */
export function FormError({ message, testId }: { message: string | null | undefined; testId?: string }) {
  if (!message) return null;
  return (
    <p className="form-error" role="alert" data-testid={testId}>
      {message}
    </p>
  );
}

/** The one-field form that creates something from its name (a timing source, a template, a roster event). */
export function NameForm({
  title,
  label,
  maxLength,
  placeholder,
  submitLabel,
  value,
  pending,
  onChange,
  onSubmit,
}: {
  /** The form's accessible name. */
  title: string;
  label: string;
  maxLength: number;
  placeholder: string;
  submitLabel: string;
  value: string;
  pending: boolean;
  onChange: (value: string) => void;
  onSubmit: (event: FormEvent<HTMLFormElement>) => void;
}) {
  return (
    <form className="inline-form" onSubmit={onSubmit} aria-label={title}>
      <Field label={label} grow>
        <input name="name" required maxLength={maxLength} placeholder={placeholder} value={value} onChange={(e) => onChange(e.target.value)} />
      </Field>
      <button type="submit" className="button button-primary" disabled={pending || value.trim() === ''}>
        {pending ? 'Creating…' : submitLabel}
      </button>
    </form>
  );
}
