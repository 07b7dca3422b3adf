// One structured JSON line per request, written straight to stdout so it stays top-level JSON
// under Lambda's JSON log format and CloudWatch metric filters can match `$.outcome`.
// It never holds a token, a cookie, a key or a raw email.
import type { ErrorStatus, ReasonCode } from './errors.ts';
import type { SessionSource } from './session/verify-session.ts';

export type Outcome = 'issued' | 'preflight' | ReasonCode;

export interface RequestLogLine {
  readonly requestId: string;
  readonly outcome: Outcome;
  readonly status: 200 | 204 | ErrorStatus;
  readonly source: SessionSource | 'none';
  readonly coldStart: boolean;
  readonly durationMs: number;
  readonly emailHash?: string;
  /** A short, value-free description for operators (e.g. what is wrong with the secret). */
  readonly detail?: string;
}

export type LogSink = (line: string) => void;

export const stdoutSink: LogSink = (line) => {
  process.stdout.write(`${line}\n`);
};

function levelOf(status: number): 'INFO' | 'WARN' | 'ERROR' {
  return status >= 500 ? 'ERROR' : status >= 400 ? 'WARN' : 'INFO';
}

export function formatRequestLog(line: RequestLogLine, timestamp: string): string {
  return JSON.stringify({ timestamp, level: levelOf(line.status), message: 'generate-auth-token', ...line });
}

/** Lines outside a request (cold start, key refresh): same shape, no request fields. */
export function formatEventLog(
  level: 'INFO' | 'WARN' | 'ERROR',
  message: string,
  fields: Record<string, unknown>,
  timestamp: string,
) {
  return JSON.stringify({ timestamp, level, message, ...fields });
}
