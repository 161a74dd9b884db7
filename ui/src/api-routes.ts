/**
 * What each route answers and takes, looked up in the generated OpenAPI types
 * (api-types.ts, from the server's zod schemas): a route whose schema changes breaks the
 * UI's type check where its answer is used.
 */
import type { paths } from './api-types';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** The methods a path has (the generated types mark the others `?: never`). */
export type MethodOf<P extends keyof paths> = { [M in Method]: paths[P][M] extends undefined ? never : M }[Method];

type Operation<P extends keyof paths, M extends MethodOf<P>> = NonNullable<paths[P][M]>;

/** The JSON a route answers with status S. */
export type Answer<P extends keyof paths, M extends MethodOf<P>, S extends keyof Operation<P, M>['responses']> =
  Operation<P, M>['responses'][S] extends { content: { 'application/json': infer T } } ? T : never;

/** The JSON body a route takes. */
export type Body<P extends keyof paths, M extends MethodOf<P>> =
  Operation<P, M> extends { requestBody?: { content: { 'application/json': infer T } } } ? T : never;

/** The query string a route takes. */
export type Query<P extends keyof paths, M extends MethodOf<P>> = NonNullable<Operation<P, M>['parameters']['query']>;
