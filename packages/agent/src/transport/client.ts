/**
 * HTTP to the server: JSON in and out, a timeout per request, errors with
 * the server's stable code. The agent only ever connects out.
 */
import type {
  CheckinRequest,
  CheckinResponse,
  EnrollRequest,
  EnrollResponse,
  JobPoll,
  JobPollResponse,
  JobReport,
  JobReportResponse,
} from '@patchloop/contracts';

export class ServerError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ServerError';
  }
}

export interface ClientOptions {
  readonly server: string;
  readonly timeoutMs?: number;
}

export class ServerClient {
  private readonly base: string;
  constructor(private readonly opts: ClientOptions) {
    this.base = opts.server.replace(/\/+$/, '');
  }

  private async post<T>(
    path: string,
    body: unknown,
    credential?: string,
    opts: { timeoutMs?: number; signal?: AbortSignal | undefined } = {},
  ): Promise<T> {
    const timeout = AbortSignal.timeout(opts.timeoutMs ?? this.opts.timeoutMs ?? 60_000);
    const res = await fetch(`${this.base}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(credential ? { authorization: `Bearer ${credential}` } : {}),
      },
      body: JSON.stringify(body),
      signal: opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout,
    });
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text === '' ? null : JSON.parse(text);
    } catch {
      // Not JSON (a proxy's error page): reported below with the status.
    }
    if (!res.ok) {
      const err = (json as { error?: { code?: string; message?: string } } | null)?.error;
      throw new ServerError(
        res.status,
        err?.code ?? `HTTP_${res.status}`,
        err?.message ?? text.slice(0, 200),
      );
    }
    return json as T;
  }

  enroll(req: EnrollRequest): Promise<EnrollResponse> {
    return this.post('/api/v1/enroll', req);
  }

  checkin(credential: string, req: CheckinRequest): Promise<CheckinResponse> {
    return this.post('/api/v1/agent/checkin', req, credential);
  }

  /** Long poll: the server answers when it has jobs or after `waitSeconds` with none. */
  pollJobs(credential: string, req: JobPoll, signal?: AbortSignal): Promise<JobPollResponse> {
    return this.post('/api/v1/agent/jobs/poll', req, credential, {
      timeoutMs: (req.waitSeconds + 30) * 1000,
      signal,
    });
  }

  reportJob(credential: string, jobId: string, report: JobReport): Promise<JobReportResponse> {
    return this.post(`/api/v1/agent/jobs/${encodeURIComponent(jobId)}/report`, report, credential);
  }
}
