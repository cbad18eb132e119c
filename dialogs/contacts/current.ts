// The employer contact of this turn, as the contact root recognised them (read once a turn).
import type { ContactView } from '../../bot/services/contacts';
import { requiredTurnValue } from '../../bot/turns/turnState';

const contact = requiredTurnValue<ContactView>('contact', 'not a contact turn');
export const setTurnContact = contact.set;
export const turnContact = contact.get;
