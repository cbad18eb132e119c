// A person's exit from the platform, in the categories of French IAE reporting:
//   durable     emploi durable: CDI; CDD or interim of 6 months or more; work-study contract;
//               business creation; civil service
//   transition  emploi de transition: CDD or interim under 6 months; subsidised contract
//   positive    sortie positive: qualifying or pre-qualifying training (HOPE, POEC...); hired by
//               another SIAE
//   other       autre sortie: looking for work, inactive, moved away, health, unknown
// The first three are the "sorties dynamiques". Recording an exit sets the stage to exited and
// writes exit_recorded on the timeline, in one transaction. The outcome, its detail and the dates
// are statistics, not identifiers: an erasure keeps them.
import type { Db, Prisma } from '../db/client';
import { appendCaseEvent, type Actor } from './caseEvents';
import { retryLostRaces } from '../db/retry';

export const EXIT_DETAILS = {
  durable: ['cdi', 'cdd_6m_plus', 'interim_6m_plus', 'work_study', 'business_creation', 'civil_service'],
  transition: ['cdd_short', 'interim_short', 'subsidised'],
  positive: ['training', 'other_siae'],
  other: ['looking', 'inactive', 'moved', 'health', 'unknown'],
} as const;

export type ExitOutcome = keyof typeof EXIT_DETAILS;
export type ExitDetail = (typeof EXIT_DETAILS)[ExitOutcome][number];
export const EXIT_OUTCOMES = Object.keys(EXIT_DETAILS) as ExitOutcome[];
export const ALL_EXIT_DETAILS = Object.values(EXIT_DETAILS).flat() as ExitDetail[];
/** the outcomes counted as sorties dynamiques */
export const DYNAMIC_OUTCOMES: readonly ExitOutcome[] = ['durable', 'transition', 'positive'];

export const detailBelongs = (outcome: ExitOutcome, detail: string) =>
  (EXIT_DETAILS[outcome] as readonly string[]).includes(detail);

export interface ExitInput {
  /** the day the person left (midnight UTC) */
  date: Date;
  outcome: ExitOutcome;
  detail: ExitDetail;
  note?: string;
}

export type ExitRefusal =
  | { refused: 'not_found' }
  | { refused: 'erased' }
  | { refused: 'detail'; outcome: ExitOutcome; detail: string }
  | { refused: 'before_entry'; entryDate: Date }
  | { refused: 'already'; exitDate: Date };

type Beneficiary = Prisma.BeneficiaryGetPayload<object>;

/** Records the exit (once; a second one is refused with the first one's date). */
export async function recordExit(
  db: Db,
  beneficiaryId: number,
  input: ExitInput,
  actor: Actor,
): Promise<{ beneficiary: Beneficiary } | ExitRefusal> {
  if (!detailBelongs(input.outcome, input.detail))
    return { refused: 'detail', outcome: input.outcome, detail: input.detail };
  return retryLostRaces(() =>
    db.$transaction(async (tx) => {
      const before = await tx.beneficiary.findUnique({ where: { id: beneficiaryId } });
      if (!before) return { refused: 'not_found' } as const;
      if (before.status === 'erased') return { refused: 'erased' } as const;
      if (before.exitDate) return { refused: 'already', exitDate: before.exitDate } as const;
      const entryDay = new Date(before.entryDate.toISOString().slice(0, 10) + 'T00:00:00.000Z');
      if (input.date < entryDay) return { refused: 'before_entry', entryDate: entryDay } as const;
      // Conditional on no exit yet: two CIPs recording it at the same moment make one exit.
      const { count } = await tx.beneficiary.updateMany({
        where: { id: beneficiaryId, exitDate: null },
        data: { stage: 'exited', exitDate: input.date, exitOutcome: input.outcome, exitDetail: input.detail },
      });
      if (count !== 1) {
        const now = await tx.beneficiary.findUniqueOrThrow({ where: { id: beneficiaryId } });
        return { refused: 'already', exitDate: now.exitDate! } as const;
      }
      await appendCaseEvent(tx, {
        beneficiaryId,
        type: 'exit_recorded',
        actor,
        payload: {
          date: input.date.toISOString().slice(0, 10),
          outcome: input.outcome,
          detail: input.detail,
          from: before.stage,
          ...(input.note && { note: input.note }),
        },
      });
      return { beneficiary: await tx.beneficiary.findUniqueOrThrow({ where: { id: beneficiaryId } }) };
    }),
  );
}
