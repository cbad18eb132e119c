// Schemas shared by the CIP API's resources: ids, enumerations of the case database, phone
// numbers, dates, paging. Requests are checked with them; the OpenAPI document is made from them.
import { z } from 'zod';
import { LANGUAGE_CODES } from '../i18n/languages';
import { toE164 } from '../services/people';

export const id = z.coerce.number().int().positive();
export const idParams = z.object({ id: id.describe('the record id') });

export const language = z.enum(LANGUAGE_CODES);
export const stage = z.enum(['diagnostic', 'sas_iae', 'siae', 'immersion', 'training', 'employment', 'exited']);
export const caseStatus = z.enum(['pending', 'active', 'archived', 'erased']);
export const protectionStatus = z.enum(['refugee', 'subsidiary']);
export const frenchLevel = z.enum(['A0', 'A1', 'A2', 'B1', 'B2', 'C1', 'C2']);
export const reads = z.enum(['yes', 'little', 'no']);
export const ageGroup = z.enum(['under25', 'over25']);

/** A phone number in any usual form (06 12 34 56 78, +33612345678), kept in E.164. */
export const phone = z
  .string()
  .trim()
  .refine((v) => toE164(v) !== undefined, 'must be a phone number, e.g. +33612345678 or 06 12 34 56 78')
  .transform((v) => toE164(v)!);

export const name = z.string().trim().min(1, 'must not be empty').max(100);
export const text = (max: number) => z.string().trim().max(max);

/** A date and time (ISO 8601 with its offset, e.g. 2026-12-03T09:30:00+01:00). */
export const dateTime = z.iso.datetime({ offset: true }).transform((v) => new Date(v));
/** A day (2026-12-03): midnight UTC of that day. */
export const day = z.iso.date().transform((v) => new Date(`${v}T00:00:00.000Z`));

export const paging = {
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).default(0),
};

/** A query flag: true, false, 1, 0. */
export const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

// The fields of the answers as the database keeps them: whole numbers, texts or null, times.
export const int = z.number().int();
export const textOrNull = z.string().nullable();
export const timestamp = z.date();

/** A record as the database keeps it: its id, its fields, when it was created and last changed. */
export const record = <S extends z.ZodRawShape>(fields: S) =>
  z.object({ id: int, ...fields, createdAt: timestamp, updatedAt: timestamp });

/** A person named in another record (a blocker's, a booking's). */
export const personRef = z.object({
  id: int,
  firstName: textOrNull,
  lastName: textOrNull,
});

/** A record named in another by its name: a placement's structure, a member of staff to choose. */
export const ref = z.object({ id: int, name: z.string() });

/** What staff write of a person (a case, an employer contact): names, phone, language of the chat. */
export const personFields = { firstName: name, lastName: name.nullable(), phone: phone.nullable(), language };

/** A change to a record: some of its fields, at least one. */
export const someOf = <S extends z.ZodRawShape>(fields: S) =>
  z
    .object(fields)
    .partial()
    .refine((v) => Object.keys(v).length > 0, 'nothing to change');

/** Whole numbers, one a name: what an operation counted. */
export const countsOf = <K extends string>(names: readonly K[]) =>
  z.object(Object.fromEntries(names.map((n) => [n, int])) as Record<K, z.ZodNumber>);

export const list = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), total: int });
