/** The OpenAPI (3.1) description of the read API's views, built from the allowlist. */
import { RELATIONSHIPS, VIEWS, type ColumnType } from './rest.schema.js';

const JSON_TYPES: Record<ColumnType, { type: string; format?: string }> = {
  bigint: { type: 'integer', format: 'int64' },
  integer: { type: 'integer', format: 'int32' },
  numeric: { type: 'number' },
  text: { type: 'string' },
  date: { type: 'string', format: 'date' },
  timestamptz: { type: 'string', format: 'date-time' },
  interval: { type: 'string', format: 'interval' },
};

const param = (name: string, where: 'query' | 'header', description: string) => ({ name, in: where, required: false, schema: { type: 'string' }, description });

export function restOpenApi(host: string): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  for (const [name, view] of Object.entries(VIEWS)) {
    const links = RELATIONSHIPS.filter((r) => r.from === name).map((r) => `${r.column} → ${r.to}.${r.references}`);
    schemas[name] = {
      type: 'object',
      description: `${view.description}${links.length ? `. Links: ${links.join(', ')}` : ''}`,
      properties: Object.fromEntries(Object.entries(view.columns).map(([c, t]) => [c, { ...JSON_TYPES[t], description: `${t}${c === view.key ? ' (key)' : ''}` }])),
    };
    paths[`/api/db/${name}`] = {
      get: {
        tags: [name],
        summary: view.description,
        parameters: [
          param('select', 'query', 'Columns, alias:col, col::cast, embedded views view(cols)'),
          param('order', 'query', 'col.asc|desc[.nullsfirst|.nullslast], …'),
          param('limit', 'query', 'Most rows'),
          param('offset', 'query', 'Rows to skip'),
          ...Object.keys(view.columns).map((c) => param(c, 'query', 'Filter: op.value (eq, neq, gt, gte, lt, lte, like, ilike, match, imatch, in, is, isdistinct; not.)')),
          param('Range', 'header', 'Rows lower-upper, e.g. 0-24'),
          param('Prefer', 'header', 'count=exact|planned|estimated'),
        ],
        responses: {
          200: { description: 'OK', content: { 'application/json': { schema: { type: 'array', items: { $ref: `#/components/schemas/${name}` } } }, 'text/csv': {}, 'application/vnd.pgrst.object+json': { schema: { $ref: `#/components/schemas/${name}` } } } },
          206: { description: 'Partial Content' },
        },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Project88Hub results read API (PostgREST-compatible)', version: '1' },
    servers: [{ url: `//${host}` }],
    paths,
    components: { schemas, securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
    security: [{ bearerAuth: [] }],
  };
}
