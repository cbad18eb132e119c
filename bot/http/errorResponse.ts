// The error answer of the Bot Framework's REST protocols (Direct Line, the Bot Connector):
// {"error": {"code", "message"}}, as both our Direct Line endpoint and /api/messages give it.
import type { Response } from 'restify';

export function sendError(res: Response, status: number, code: string, message: string): void {
  res.send(status, { error: { code, message } });
}
