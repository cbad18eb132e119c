// The CIP JSON API under /api/cip: the routes of each resource, and GET /api/cip/openapi.json
// (made from the same declarations). The dashboard issue builds its pages on it.
import type { Request, Response, Server } from 'restify';
import { Api, type ApiDeps } from './http';
import { broadcastRoutes, type BroadcastRouteOptions } from './broadcasts';
import { alertRoutes } from './alerts';
import { beneficiaryRoutes } from './beneficiaries';
import { sessionRoutes } from './sessions';
import { structureRoutes } from './structures';
import { contactRoutes } from './contacts';
import { placementRoutes } from './placements';
import { shiftRoutes } from './shifts';
import { workshopRoutes } from './workshops';
import { bookingRoutes } from './bookings';
import { blockerRoutes } from './blockers';
import { erasureRoutes } from './erasure';
import { exitRoutes } from './exits';
import { statsRoutes } from './stats';
import { exportRoutes } from './exports';
import { todayRoutes } from './today';
import { staffListRoutes } from './staffList';
import { messageRoutes } from './messages';
import { caseActivityRoutes } from './caseActivity';
import { sessionListRoutes } from './sessionList';
import { cipMessageRoutes } from './cipMessages';
import type { EraseOptions, MediaFiles } from '../services/erasure';

export interface CipApiOptions extends BroadcastRouteOptions {
  /** how long a sign-in lasts, hours */
  sessionHours: number;
  /** the media files (an erasure deletes the person's) */
  media?: MediaFiles;
  /** an erasure ends the person's open web chat conversations (their transcripts in memory) */
  forgetChats?: EraseOptions['forgetChats'];
  /** after a message to a person is queued: wake the senders */
  afterQueue?: () => void;
}

export function registerCipApi(server: Server, deps: ApiDeps, options: CipApiOptions): Api {
  const api = new Api(server, deps);
  sessionRoutes(api, deps, options);
  beneficiaryRoutes(api, deps);
  alertRoutes(api, deps);
  structureRoutes(api, deps);
  contactRoutes(api, deps);
  placementRoutes(api, deps);
  shiftRoutes(api, deps);
  workshopRoutes(api, deps);
  bookingRoutes(api, deps);
  blockerRoutes(api, deps);
  erasureRoutes(api, deps, options.media, options.forgetChats);
  exitRoutes(api, deps);
  statsRoutes(api, deps);
  exportRoutes(api, deps);
  todayRoutes(api, deps);
  staffListRoutes(api, deps);
  messageRoutes(api, deps);
  caseActivityRoutes(api, deps);
  sessionListRoutes(api, deps);
  cipMessageRoutes(api, deps, { whatsapp: options.whatsapp, quiet: options.quiet, afterQueue: options.afterQueue });
  // (more resources are registered here)
  broadcastRoutes(api, deps, options);

  const document = () => api.openapi({ title: 'Passerelle CIP API', version: '1' });
  server.get('/api/cip/openapi.json', async (_req: Request, res: Response) => {
    res.send(200, document());
  });
  return api;
}
