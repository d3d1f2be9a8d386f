/**
 * The signed-in user: read from GET /api/v1/session at start (the cookie is
 * HttpOnly, so the page cannot read it), set by signing in, cleared by signing
 * out or when the server answers 401.
 */
import { useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { ApiError, setCsrfToken, setUnauthorizedHandler } from '../api/client.js';
import { sessionApi } from '../api/session.js';
import type { Session as ConsoleSession } from '../api/types.js';

interface SessionState {
  readonly user: ConsoleSession | null;
  readonly checking: boolean;
  signIn(username: string, password: string): Promise<void>;
  signOut(): Promise<void>;
}

const Ctx = createContext<SessionState | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<ConsoleSession | null>(null);
  const [checking, setChecking] = useState(true);
  const queryClient = useQueryClient();

  const forget = useCallback(() => {
    setCsrfToken(null);
    setUser(null);
    queryClient.clear();
  }, [queryClient]);

  useEffect(() => {
    setUnauthorizedHandler(forget);
    let live = true;
    sessionApi
      .current()
      .then((s) => {
        if (!live) return;
        setCsrfToken(s.csrfToken);
        setUser(s);
      })
      .catch((e: unknown) => {
        if (!(e instanceof ApiError) || e.status !== 401) console.error(e);
      })
      .finally(() => live && setChecking(false));
    return () => {
      live = false;
      setUnauthorizedHandler(null);
    };
  }, [forget]);

  const signIn = useCallback(async (username: string, password: string) => {
    const s = await sessionApi.signIn(username, password);
    setCsrfToken(s.csrfToken);
    setUser(s);
  }, []);

  const signOut = useCallback(async () => {
    try {
      await sessionApi.signOut();
    } finally {
      forget();
    }
  }, [forget]);

  return <Ctx.Provider value={{ user, checking, signIn, signOut }}>{children}</Ctx.Provider>;
}

export function useSession(): SessionState {
  const s = useContext(Ctx);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

/** Whether the user's role may change things (operators and admins). */
export function canWrite(user: ConsoleSession | null): boolean {
  return user?.role === 'admin' || user?.role === 'operator';
}
