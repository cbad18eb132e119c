// A consenting person with a WhatsApp chat with us, straight in the database (no message sent):
// for the tests of what goes out to them.
import type { Database } from '../../bot/db/client';
import type { LanguageCode } from '../../bot/i18n/languages';

/**
 * Selam, active and consenting, whose number is waId, and the conversation reference of their chat;
 * they last wrote at `lastInboundAt` (their 24-hour window counts from it).
 */
export async function selamOnWhatsApp(
  db: Database['prisma'],
  waId: string,
  language: LanguageCode,
  lastInboundAt: Date,
  extra: { optedOutAt?: Date } = {},
) {
  const b = await db.beneficiary.create({
    data: { firstName: 'Selam', phone: `+${waId}`, language, status: 'active', consentAt: new Date(), ...extra },
  });
  await db.conversationRef.create({
    data: {
      channel: 'whatsapp',
      userKey: waId,
      conversationId: waId,
      reference: { user: { id: waId } },
      beneficiaryId: b.id,
      lastInboundAt,
    },
  });
  return b;
}
