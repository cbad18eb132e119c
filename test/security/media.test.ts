// Files people send: only pictures, sounds and PDF files whose bytes are what they claim; served
// so that they can never run as a page of our origin; to their sender and to signed-in staff only
// (each staff read on record); and a web chat client cannot slip someone else's file, an outside
// link or a script link into a message.
import fs from 'node:fs';
import { translator } from '../../bot/i18n/translator';
import { signedIn } from '../support/cipApi';
import { samples } from '../support/mediaSamples';
import { startWhatsAppApp, textOf, type WhatsAppTestApp } from '../support/whatsappApp';
import { image, messageWebhook, text, voiceNote } from '../support/whatsappWebhooks';

let h: WhatsAppTestApp;
beforeAll(async () => {
  h = await startWhatsAppApp();
});
afterAll(async () => {
  await h?.close();
});

const url = (path: string) => `${h.app.url}${path}`;
/** The files in MEDIA_DIR (each stored file has its .json beside it). */
const storedFiles = () =>
  fs.readdirSync(h.app.config.media.dir).filter((f) => !f.startsWith('.') && !f.endsWith('.json'));

interface Chat {
  conversationId: string;
  token: string;
}

let users = 0;
async function webChat(locale: string): Promise<Chat> {
  const res = await fetch(url('/v3/directline/tokens/generate'), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ user: { id: `wc_media_user_${++users}_0123456789` }, locale }),
  });
  return (await res.json()) as Chat;
}

function upload(chat: Chat, bytes: Buffer, type: string, name: string) {
  const form = new FormData();
  form.append(
    'activity',
    new Blob([JSON.stringify({ type: 'message', attachments: [{ contentType: type, name }] })], {
      type: 'application/vnd.microsoft.activity',
    }),
    'blob',
  );
  form.append('file', new Blob([bytes], { type }), name);
  return fetch(url(`/v3/directline/conversations/${chat.conversationId}/upload`), {
    method: 'POST',
    headers: { Authorization: `Bearer ${chat.token}` },
    body: form,
  });
}

interface Sent {
  id: string;
  from: { role?: string };
  text?: string;
  attachments?: { contentType: string; contentUrl: string; name?: string }[];
}

async function transcript(chat: Chat): Promise<Sent[]> {
  const res = await fetch(url(`/v3/directline/conversations/${chat.conversationId}/activities`), {
    headers: { Authorization: `Bearer ${chat.token}` },
  });
  return ((await res.json()) as { activities: Sent[] }).activities;
}

/** Uploads a file that must be kept: its plain link (as the database keeps it) and the page's signed one. */
async function uploaded(chat: Chat, bytes: Buffer, type: string, name: string) {
  const res = await upload(chat, bytes, type, name);
  expect(res.status).toBe(200);
  const { id } = (await res.json()) as { id: string };
  const echoed = (await transcript(chat)).find((a) => a.id === id)!;
  const signed = echoed.attachments![0].contentUrl;
  const row = await h.app.db.prisma.message.findFirstOrThrow({ where: { providerId: `webchat:${id}` } });
  const plain = (row.payload as { attachments: { url: string }[] }).attachments[0].url;
  expect(plain).toMatch(/^\/webchat\/media\/[A-Za-z0-9_-]{32}$/);
  expect(signed.startsWith(`${plain}?`)).toBe(true);
  return { plain, signed, contentType: echoed.attachments![0].contentType };
}

/** A file sent in a person's web chat in French (the one the test fetches), and someone else's chat. */
async function sentInAChat(bytes: Buffer, type: string, name: string) {
  const [chat, other] = [await webChat('fr'), await webChat('fr')];
  return { chat, other, file: await uploaded(chat, bytes, type, name) };
}

describe('web chat uploads', () => {
  test(
    'an SVG with a script and a "PNG" that is HTML get 415, nothing is kept, the person reads why in their ' +
      'language',
    async () => {
      const chat = await webChat('uk');
      const before = storedFiles().length;
      for (const [bytes, type, name] of [
        [samples.svgWithScript, 'image/svg+xml', 'photo.svg'],
        [samples.htmlAsPng, 'image/png', 'photo.png'],
        [samples.htmlAsPng, '', 'photo'],
      ] as const) {
        const res = await upload(chat, bytes, type, name);
        expect(res.status).toBe(415);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('UnsupportedMediaType');
      }
      expect(storedFiles()).toHaveLength(before);
      const said = (await transcript(chat)).filter((a) => a.from.role === 'bot').map((a) => a.text);
      expect(said).toEqual([
        translator('uk')('media.refused'),
        translator('uk')('media.refused'),
        translator('uk')('media.refused'),
      ]);
    },
  );

  test('real pictures, sounds and PDF files are kept, with the type their bytes show', async () => {
    const chat = await webChat('fr');
    for (const [bytes, type, kept] of [
      [samples.png, 'image/png', 'image/png'],
      [samples.jpeg, 'image/jpeg', 'image/jpeg'],
      [samples.webp, 'image/webp', 'image/webp'],
      [samples.heic, 'image/heic', 'image/heic'],
      [samples.oggOpus, 'audio/ogg; codecs=opus', 'audio/ogg'],
      [samples.mp3, 'audio/mpeg', 'audio/mpeg'],
      [samples.m4a, 'audio/x-m4a', 'audio/mp4'],
      [samples.amr, 'audio/amr', 'audio/amr'],
      [samples.webm, 'audio/webm', 'audio/webm'],
      [samples.pdf, 'application/pdf', 'application/pdf'],
      [samples.png, '', 'image/png'], // a browser that did not know: the bytes decide
    ] as const) {
      expect((await uploaded(chat, bytes, type, 'file')).contentType).toBe(kept);
    }
    // A claim that the bytes contradict: a PNG said to be a PDF.
    expect((await upload(chat, samples.png, 'application/pdf', 'x.pdf')).status).toBe(415);
  });
});

describe('WhatsApp media', () => {
  /** Someone who chose Russian and consented: a case exists for them. */
  async function russian(waId: string) {
    const person = { waId, name: 'Olga' };
    await h.send(text(person, 'привет'), waId);
    await h.send(text(person, 'Русский'), waId);
    await h.send(text(person, '1'), waId); // read (the voice question)
    await h.send(text(person, '1'), waId); // consent
    await h.send(text(person, '1'), waId); // "Is your first name Olga?" yes: the menu
    return person;
  }

  test('an SVG with a script, a "PNG" that is HTML: refused, nothing stored, the person told in Russian', async () => {
    const person = await russian('33639980701');
    const before = storedFiles().length;
    h.graph.addMedia('svg-1', samples.svgWithScript, 'image/svg+xml');
    const svg = await h.send(
      messageWebhook(person, {
        type: 'document',
        document: { id: 'svg-1', mime_type: 'image/svg+xml', filename: 'cv.svg', sha256: 'x' },
      }),
      person.waId,
    );
    expect(svg.map(textOf)).toContain(translator('ru')('media.refused'));
    // (A type we never keep is not even downloaded.)
    expect(h.graph.requests.some((r) => r.path.endsWith('/svg-1'))).toBe(false);
    h.graph.addMedia('html-1', samples.htmlAsPng, 'image/png');
    const html = await h.send(
      messageWebhook(person, { type: 'image', image: { id: 'html-1', mime_type: 'image/png', sha256: 'x' } }),
      person.waId,
    );
    expect(html.map(textOf)).toContain(translator('ru')('media.refused'));
    expect(storedFiles()).toHaveLength(before);
    const rows = await h.app.db.prisma.message.findMany({ where: { channel: 'whatsapp', direction: 'in' } });
    expect(JSON.stringify(rows.map((r) => r.payload))).not.toContain('/webchat/media/');
    // The same person's real photo is kept.
    h.graph.addMedia('jpeg-1', samples.jpeg, 'image/jpeg');
    await h.send(image(person, 'jpeg-1'), person.waId);
    expect(storedFiles()).toHaveLength(before + 1);
  });
});

describe('who may fetch a file', () => {
  test(
    'no credentials or a signature not ours: 401; someone else, a closed conversation: 404; the sender and ' +
      'staff: 200',
    async () => {
      const { chat, other, file } = await sentInAChat(samples.png, 'image/png', 'carte.png');
      const { plain, signed } = file;
      const get = (path: string, token?: string) =>
        fetch(url(path), { headers: token ? { Authorization: `Bearer ${token}` } : {} });

      expect((await get(plain)).status).toBe(401);
      expect((await get(plain, 'not-a-token')).status).toBe(401);
      expect((await get(plain, other.token)).status).toBe(404);
      // another conversation's page cannot reuse the signature; a made-up one opens nothing
      expect(
        (await get(`${plain}?c=${other.conversationId}&s=${new URL(signed, h.app.url).searchParams.get('s')}`)).status,
      ).toBe(401);
      expect((await get(`${plain}?c=${chat.conversationId}&s=AAAA`)).status).toBe(401);
      // a link signed for the other conversation's own file does not open this one
      const theirs = await uploaded(other, samples.jpeg, 'image/jpeg', 'x.jpg');
      expect((await get(`${plain}?${new URL(theirs.signed, h.app.url).searchParams}`)).status).toBe(401);
      // The sender: their token, or the page's signed link.
      const byToken = await get(plain, chat.token);
      expect(byToken.status).toBe(200);
      expect(Buffer.from(await byToken.arrayBuffer())).toEqual(samples.png);
      expect((await get(signed)).status).toBe(200);
      // Staff: their session token, within their scope; the read is on record. A visitor who never
      // consented has no case: a coordinator may read the file, a CIP may not.
      const cip = await signedIn(h.app, 'cip');
      expect((await get(plain, cip.token)).status).toBe(404);
      const coordinator = await signedIn(h.app, 'coordinator');
      const byStaff = await get(plain, coordinator.token);
      expect(byStaff.status).toBe(200);
      const id = plain.split('/').pop();
      expect(await h.app.db.prisma.auditEvent.findMany({ where: { resource: 'media', resourceId: id } })).toEqual([
        expect.objectContaining({ staffUserId: coordinator.id, action: 'read', beneficiaryId: null }),
      ]);
      // The person leaves ("forget me"): the page's links die with the conversation.
      const left = await fetch(url(`/v3/directline/conversations/${chat.conversationId}/activities`), {
        method: 'POST',
        headers: { Authorization: `Bearer ${chat.token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ type: 'endOfConversation' }),
      });
      expect(left.status).toBe(200);
      expect((await get(signed)).status).toBe(404);
      expect((await get(plain, coordinator.token)).status).toBe(200);
    },
  );

  test("a staff read of a WhatsApp person's voice note records their case", async () => {
    const person = { waId: '33639980702', name: 'Amina' };
    await h.send(text(person, 'bonjour'), person.waId);
    await h.send(text(person, '1'), person.waId); // Français
    await h.send(text(person, '1'), person.waId); // read (the voice question)
    await h.send(text(person, '1'), person.waId); // consent
    await h.send(text(person, '1'), person.waId); // first name: yes
    await h.send(text(person, '3'), person.waId); // a problem
    await h.send(text(person, '1'), person.waId); // report one
    await h.send(text(person, '1'), person.waId); // housing
    await h.send(text(person, '1'), person.waId); // today
    h.graph.addMedia('voice-1', samples.oggOpus, 'audio/ogg; codecs=opus');
    await h.send(voiceNote(person, 'voice-1'), person.waId);
    const blocker = await h.app.db.prisma.blocker.findFirstOrThrow({
      where: { beneficiary: { phone: `+${person.waId}` } },
    });
    const [attachment] = blocker.attachments as { url: string }[];
    expect((await fetch(url(attachment.url))).status).toBe(401);
    const cip = await signedIn(h.app, 'cip');
    const res = await fetch(url(attachment.url), { headers: { Authorization: `Bearer ${cip.token}` } });
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(samples.oggOpus);
    const event = await h.app.db.prisma.auditEvent.findFirstOrThrow({
      where: { resource: 'media', resourceId: attachment.url.split('/').pop() },
    });
    expect(event).toMatchObject({ staffUserId: cip.id, action: 'read', beneficiaryId: blocker.beneficiaryId });
    // Once the case is another CIP's, this CIP no longer reads its files (404, nothing on record).
    const other = await signedIn(h.app, 'cip');
    await h.app.db.prisma.beneficiary.update({
      where: { id: blocker.beneficiaryId },
      data: { cipId: other.id, status: 'active' },
    });
    expect((await fetch(url(attachment.url), { headers: { Authorization: `Bearer ${cip.token}` } })).status).toBe(404);
    expect((await fetch(url(attachment.url), { headers: { Authorization: `Bearer ${other.token}` } })).status).toBe(
      200,
    );
    expect(await h.app.db.prisma.auditEvent.count({ where: { resource: 'media', staffUserId: cip.id } })).toBe(1);
  });
});

describe('how a file is served', () => {
  test('pictures and sounds inline, anything else as a download; never sniffed, sandboxed, never cached', async () => {
    const chat = await webChat('fr');
    const picture = await fetch(url((await uploaded(chat, samples.png, 'image/png', 'carte "séjour".png')).signed));
    const pdf = await fetch(url((await uploaded(chat, samples.pdf, 'application/pdf', 'attestation.pdf')).signed));
    for (const res of [picture, pdf]) {
      expect(res.headers.get('content-security-policy')).toBe("sandbox; default-src 'none'");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('cache-control')).toBe('private, no-store');
    }
    expect(picture.headers.get('content-type')).toBe('image/png');
    expect(picture.headers.get('content-disposition')).toBe(
      `inline; filename="carte _s_jour_.png"; filename*=UTF-8''carte%20%22s%C3%A9jour%22.png`,
    );
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(pdf.headers.get('content-disposition')).toMatch(/^attachment; filename="attestation.pdf"/);
  });
});

describe('files posted by link', () => {
  test(
    "only the person's own files of our store stay: javascript:, outside links, unknown ids and others' files " +
      'are dropped',
    async () => {
      const { chat, other, file: own } = await sentInAChat(samples.jpeg, 'image/jpeg', 'mine.jpg');
      const theirs = await uploaded(other, samples.png, 'image/png', 'theirs.png');
      const res = await fetch(url(`/v3/directline/conversations/${chat.conversationId}/activities`), {
        method: 'POST',
        headers: { Authorization: `Bearer ${chat.token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({
          type: 'message',
          text: 'voici',
          attachments: [
            { contentType: 'image/png', contentUrl: 'javascript:alert(1)', name: 'x.png' },
            { contentType: 'image/png', contentUrl: 'https://evil.example/x.png', name: 'x.png' },
            { contentType: 'image/png', contentUrl: `/webchat/media/${'b'.repeat(32)}`, name: 'x.png' },
            { contentType: 'image/png', contentUrl: theirs.plain, name: 'x.png' },
            { contentType: 'text/html', contentUrl: own.plain, name: 'renamed.html' },
          ],
        }),
      });
      expect(res.status).toBe(200);
      const { id } = (await res.json()) as { id: string };
      const row = await h.app.db.prisma.message.findFirstOrThrow({ where: { providerId: `webchat:${id}` } });
      // kept as the store knows it: its own type and name, a plain link
      expect((row.payload as { attachments: unknown[] }).attachments).toEqual([
        { contentType: 'image/jpeg', name: 'mine.jpg', url: own.plain },
      ]);
      const echoed = (await transcript(chat)).find((a) => a.id === id)!;
      expect(echoed.attachments).toEqual([
        expect.objectContaining({
          contentType: 'image/jpeg',
          contentUrl: expect.stringMatching(new RegExp(`^${own.plain}\\?c=`)),
        }),
      ]);
    },
  );
});
