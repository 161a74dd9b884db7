import { useCallback, useState, type FormEvent } from 'react';
import { api, type Partner } from '../api';
import { PageHeader } from '../components/Controls';
import { Empty, PollStates } from '../components/States';
import { useAction } from '../useAction';
import { usePoll } from '../usePoll';
import { Field, FormError } from '../components/Form';

const EVERY_MS = 30_000;
const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Platform admins: every timing partner, and a form to add one. */
export function Platform({ onExpired, onRefused }: { onExpired: () => void; onRefused?: (message: string) => void }) {
  const poll = usePoll(useCallback((signal: AbortSignal) => api.partners(signal), []), EVERY_MS, onExpired);
  const { data, retry } = poll;
  const [slug, setSlug] = useState('');
  const [name, setName] = useState('');
  const [created, setCreated] = useState<Partner | null>(null);
  const create = useAction(onExpired, onRefused);
  const slugOk = SLUG.test(slug);

  const onCreate = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const partner = await create.run(() => api.createPartner(slug, name.trim()));
    if (!partner) return;
    setCreated(partner.partner);
    setSlug('');
    setName('');
    retry();
  };

  return (
    <main className="page">
      <PageHeader title="Timing partners">Every company on the platform. New partners start with a 14-day trial.</PageHeader>
      <section className="panel" aria-labelledby="new-partner-title">
        <h2 id="new-partner-title">New partner</h2>
        <form className="inline-form" onSubmit={onCreate} aria-label="New partner">
          <Field label="Name" grow>
            <input name="name" required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} placeholder="Acme Timing" />
          </Field>
          <Field label="Slug">
            <input
              name="slug"
              required
              maxLength={63}
              value={slug}
              onChange={(e) => setSlug(e.target.value.toLowerCase())}
              placeholder="acme"
              aria-invalid={slug !== '' && !slugOk}
              className="mono"
            />
          </Field>
          <button type="submit" className="button button-primary" disabled={create.pending || !slugOk || name.trim() === ''}>
            {create.pending ? 'Creating…' : 'Create partner'}
          </button>
        </form>
        {slug !== '' && !slugOk ? <p className="muted small">Lower-case letters, digits and dashes, starting with a letter or digit.</p> : null}
        <FormError message={create.error} />
        {created ? (
          <div className="notice notice-block" role="status" data-testid="partner-created">
            <p>
              <strong>{created.name}</strong> is created. Create its owner from a terminal:
            </p>
            <code className="command">
              p88 user create --partner {created.slug} --role owner --email &lt;email&gt;
            </code>
          </div>
        ) : null}
      </section>
      <section className="panel" aria-labelledby="partners-title">
        <div className="panel-header">
          <h2 id="partners-title">Partners</h2>
          {data ? <span className="muted">{data.partners.length}</span> : null}
        </div>
        <PollStates poll={poll} loading="Loading partners…" />
        {data && data.partners.length === 0 ? <Empty title="No partners yet" /> : null}
        {data && data.partners.length > 0 ? (
          <div className="table-scroll">
            <table className="table" data-testid="partners">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Slug</th>
                  <th scope="col" className="num">
                    Id
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.partners.map((p) => (
                  <tr key={p.id} data-partner={p.slug}>
                    <td className="strong">{p.name}</td>
                    <td className="mono">{p.slug}</td>
                    <td className="num mono">{p.id}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </section>
    </main>
  );
}
