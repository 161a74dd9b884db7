/** Gender as every part of the product stores it, and the one rule that maps what people and providers write to it. */

export const GENDERS = ['M', 'F', 'X', 'U'] as const;
export type Gender = (typeof GENDERS)[number];

/** Normalizes what people and providers write for gender to M | F | X | U (U: unknown or not given). */
export function normalizeGender(value: string | null | undefined): Gender {
  const v = (value ?? '').trim().toLowerCase().replace(/[^a-z]/g, '');
  if (['m', 'male', 'man', 'men', 'boy', 'h', 'homme', 'masculino'].includes(v)) return 'M';
  if (['f', 'female', 'woman', 'women', 'girl', 'w', 'femme', 'femenino', 'femenina'].includes(v)) return 'F';
  if (['x', 'nb', 'nonbinary', 'other', 'diverse', 'divers', 'd'].includes(v)) return 'X';
  return 'U';
}
