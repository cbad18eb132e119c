// The employer contact of this turn, as the contact root recognised them (read once a turn).
import type { TurnContext } from 'botbuilder';
import type { ContactView } from '../../bot/services/contacts';

const CONTACT = Symbol('passerelle.contact');

export function setTurnContact(context: TurnContext, contact: ContactView): void {
  context.turnState.set(CONTACT, contact);
}

export function turnContact(context: TurnContext): ContactView {
  const contact = context.turnState.get(CONTACT) as ContactView | undefined;
  if (!contact) throw new Error('not a contact turn');
  return contact;
}
