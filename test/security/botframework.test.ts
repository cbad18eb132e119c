// /api/messages: the Bot Framework protocol must not let anyone speak for a person of another
// channel. Without MicrosoftAppId the route is off (even from this machine: behind a reverse proxy
// every request comes from loopback); BOTFRAMEWORK_EMULATOR=on opens it to the Emulator on this
// machine, "emulator" channel only; with an app id only the channels of Azure Bot Service pass.
import type { App } from '../../bot/runtime/app';
import { appForTests } from '../support/app';
import { fakeConnectorForTests } from '../support/fakeConnector';
import { translator } from '../../bot/i18n/translator';

const { received, serviceUrl } = fakeConnectorForTests();

// A WhatsApp person's id is their phone number: the attack speaks for them to read their agenda.
const activity = (channelId: string, conversation: string, fromId = '33639980001', text = '4') => ({
  type: 'message',
  id: `a-${Math.random()}`,
  text,
  channelId,
  serviceUrl: serviceUrl(),
  from: { id: fromId, name: 'x' },
  recipient: { id: 'bot', name: 'Passerelle' },
  conversation: { id: conversation },
  locale: 'fr-FR',
});

async function post(app: App, body: object, headers: Record<string, string> = {}) {
  return fetch(`${app.url}/api/messages`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

/** Messages the bot recorded for a conversation (an answered turn leaves rows). */
const recorded = (app: App, conversationId: string) => app.db.prisma.message.count({ where: { conversationId } });

describe('without MicrosoftAppId nor BOTFRAMEWORK_EMULATOR (the default)', () => {
  const testApp = appForTests();

  test('a loopback request is refused with 403, whatever its channel; nothing runs', async () => {
    for (const channel of ['whatsapp', 'emulator']) {
      const res = await post(testApp(), activity(channel, `off-${channel}`));
      expect(res.status).toBe(403);
      expect(await res.text()).toMatch(/off.*MicrosoftAppId.*BOTFRAMEWORK_EMULATOR/);
      expect(await recorded(testApp(), `off-${channel}`)).toBe(0);
    }
    expect(received.filter((a) => a.conversation?.id.startsWith('off-'))).toHaveLength(0);
  });

  test('the web chat still works (its own Direct Line endpoint)', async () => {
    const res = await fetch(`${testApp().url}/v3/directline/tokens/generate`, { method: 'POST' });
    expect(res.status).toBe(200);
  });
});

describe('BOTFRAMEWORK_EMULATOR=on without MicrosoftAppId', () => {
  const testApp = appForTests({ BOTFRAMEWORK_EMULATOR: 'on', TRUST_PROXY: '127.0.0.1' });

  test('an activity of another channel (a WhatsApp person) is refused with 403', async () => {
    for (const channel of ['whatsapp', 'webchat', 'msteams']) {
      const res = await post(testApp(), activity(channel, `emu-${channel}`));
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
        /only the "emulator" channel/,
      );
      expect(await recorded(testApp(), `emu-${channel}`)).toBe(0);
    }
  });

  test('the Emulator on this machine is answered', async () => {
    const res = await post(testApp(), activity('emulator', 'emu-ok', 'emulator-user', 'menu'));
    expect(res.status).toBeLessThan(300);
    expect(received.filter((a) => a.conversation?.id === 'emu-ok').length).toBeGreaterThan(0);
    expect(await recorded(testApp(), 'emu-ok')).toBeGreaterThan(0);
  });

  test('"forget me" outside the web chat points to "delete" (there is no device to clear)', async () => {
    const res = await post(testApp(), { ...activity('emulator', 'emu-forget', 'emulator-user-3', 'oublier') });
    expect(res.status).toBeLessThan(300);
    const texts = received.filter((a) => a.conversation?.id === 'emu-forget').map((a) => a.text ?? '');
    expect(texts[0]).toBe(translator('fr')('forget.elsewhere', { word: 'supprimer' }));
  });

  test('through the reverse proxy (TRUST_PROXY), a client of another host is refused', async () => {
    const res = await post(testApp(), activity('emulator', 'emu-proxied', 'emulator-user'), {
      'X-Forwarded-For': '203.0.113.7',
    });
    expect(res.status).toBe(403);
    expect(await res.text()).toMatch(/other hosts/);
    expect(await recorded(testApp(), 'emu-proxied')).toBe(0);
  });
});

describe('with MicrosoftAppId', () => {
  const testApp = appForTests({
    MicrosoftAppId: '11111111-2222-3333-4444-555555555555',
    MicrosoftAppPassword: 'not-a-real-password',
  });

  test('a channel id Azure Bot Service never sends is refused with 403', async () => {
    for (const channel of ['whatsapp', 'console', 'test', '']) {
      const res = await post(testApp(), activity(channel, `azure-${channel}`));
      expect(res.status).toBe(403);
      expect(await res.text()).toMatch(/not one of Azure Bot Service/);
    }
  });

  test("an Azure channel goes on to the SDK's authentication (no token: 401)", async () => {
    // (CloudAdapter prints the refusal on the console itself.)
    const quiet = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      for (const channel of ['msteams', 'webchat', 'directline', 'emulator']) {
        const res = await post(testApp(), activity(channel, `azure-${channel}`));
        expect(res.status).toBe(401);
        expect(await recorded(testApp(), `azure-${channel}`)).toBe(0);
      }
    } finally {
      quiet.mockRestore();
    }
  });
});
