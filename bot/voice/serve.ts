// GET /webchat/voice/:id.ogg?c=&s=: a spoken clip, to the web chat page it was made for. Web
// Chat plays an attachment with a plain <audio src>, which cannot carry the Direct Line token: the
// link is signed for the conversation (bot/media/links.ts), and opens only while it is open here.
// A clip made for one turn lives 15 minutes (voice.ts); a cached one as long as the cache keeps it.
import type { Request, Response, Server } from 'restify';
import type { WebChatStore } from '../channels/webchat/store';
import { signedConversation, signedQuery } from '../media/links';
import type { Voice } from './voice';

export const VOICE_ROUTE = '/webchat/voice';

/** The link a conversation's page plays clip `id` with. */
export function voiceLink(id: string, conversationId: string): string {
  return `${VOICE_ROUTE}/${id}.ogg?${signedQuery(`voice:${id}`, conversationId)}`;
}

export function registerVoiceRoute(server: Server, voice: Voice, conversations: WebChatStore): void {
  server.get(`${VOICE_ROUTE}/:file`, async (req: Request, res: Response) => {
    const id = /^([\w-]{1,64})\.ogg$/.exec(String(req.params.file ?? ''))?.[1];
    const signedFor = id && signedConversation(`voice:${id}`, req.query);
    // Made here, or by another instance of the service (kept with the conversation: webchat/store.ts).
    const audio =
      signedFor && (await conversations.get(signedFor))
        ? ((await voice.audioOf(id)) ?? (await conversations.clip(signedFor, id)))
        : undefined;
    res.setHeader('Cache-Control', 'private, no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if (!audio) {
      res.setHeader('Content-Type', 'application/json');
      res.writeHead(404);
      return void res.end(JSON.stringify({ code: 'NotFound', message: 'No such clip, or its link has expired.' }));
    }
    res.setHeader('Content-Type', 'audio/ogg');
    res.setHeader('Content-Security-Policy', "sandbox; default-src 'none'");
    res.setHeader('Content-Length', audio.length);
    res.writeHead(200);
    res.end(audio);
  });
}
