/** The console session's calls (the session context in auth/session.tsx holds its state). */
import { api } from './client.js';
import { endpoints } from './endpoints.js';
import type { Session } from './types.js';

export const sessionApi = {
  current: () => api.get<Session>(endpoints.session),
  signIn: (username: string, password: string) =>
    api.post<Session>(endpoints.session, { username, password }),
  signOut: () => api.del<void>(endpoints.session),
};
