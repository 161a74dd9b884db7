import { AuthLayout } from '../components/AuthLayout';
import { Link } from '../components/Link';

export function NotFound({ homePath, homeLabel }: { homePath: string; homeLabel: string }) {
  return (
    <AuthLayout title="Page not found">
      <p className="muted">There is no page at this address.</p>
      <p className="auth-footer">
        <Link to={homePath}>{homeLabel}</Link>
      </p>
    </AuthLayout>
  );
}
