/** Errors of the read API in PostgREST's shape ({code, message, details, hint}) and with its statuses. */

export class RestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: string | null = null,
    readonly hint: string | null = null,
  ) {
    super(message);
  }

  body(): { code: string; message: string; details: string | null; hint: string | null } {
    return { code: this.code, message: this.message, details: this.details, hint: this.hint };
  }
}

/** PGRST100: the query string does not follow the grammar. */
export function grammarError(what: string, value: string, details: string): RestError {
  return new RestError(400, 'PGRST100', `"failed to parse ${what} parameter (${value.length > 200 ? `${value.slice(0, 200)}…` : value})"`, details);
}

export function unknownColumn(view: string, column: string): RestError {
  return new RestError(400, '42703', `column ${view}.${column.slice(0, 100)} does not exist`);
}

export function unknownView(name: string): RestError {
  return new RestError(404, 'PGRST205', `Could not find the table 'public.${name.slice(0, 100)}' in the schema cache`, null, 'Perhaps you meant one of the exposed views: ct_events, ct_races, ct_participants, ct_results, ct_splits');
}

export function noRelationship(from: string, to: string): RestError {
  return new RestError(
    400,
    'PGRST200',
    `Could not find a relationship between '${from}' and '${to.slice(0, 100)}' in the schema cache`,
    `Searched for a foreign key relationship between '${from}' and '${to.slice(0, 100)}' in the schema 'public', but no matches were found.`,
  );
}
