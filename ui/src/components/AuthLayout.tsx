import type { ReactNode } from 'react';

/** The centred card the signed-out screens share. */
export function AuthLayout({ title, children }: { title: string; children: ReactNode }) {
  return (
    <main className="auth-page">
      <div className="auth-card">
        <div className="brand brand-large">
          <span className="brand-mark" aria-hidden="true">88</span>
          Project88Hub
        </div>
        <h1>{title}</h1>
        {children}
      </div>
    </main>
  );
}
