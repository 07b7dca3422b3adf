// What the function writes must never help someone who reads the logs: no PEM, no JWT, no cookie
// value or email the request carried, and every refusal names its reason code. A LogAudit learns
// the secrets of each request it is shown, then checks every captured line against all of them.
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { vi } from 'vitest';

const JWT_PREFIX = 'eyJ';
const PEM_MARKERS = ['-----BEGIN', '-----END', 'PRIVATE KEY'];
const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/u;
const REASON_CODE = /^[a-z][a-z_]*$/;
/** Shorter cookie values ("1", "dark") would match innocent text; the session values are all longer. */
const MIN_SECRET_LENGTH = 8;

export class LogAudit {
  readonly #secrets = new Set<string>();
  readonly #emails = new Set<string>();
  #lines = 0;

  /** Every Authorization value, every cookie value and every email inside a JWT of the event. */
  noteEvent(event: Pick<APIGatewayProxyEvent, 'headers' | 'multiValueHeaders'> | null | undefined): void {
    const values: string[] = [];
    for (const map of [event?.headers, event?.multiValueHeaders]) {
      if (map === null || typeof map !== 'object') continue;
      for (const [name, value] of Object.entries(map)) {
        const lower = name.toLowerCase();
        if (lower !== 'authorization' && lower !== 'cookie') continue;
        for (const item of Array.isArray(value) ? value : [value])
          if (typeof item === 'string') values.push(item);
      }
    }
    for (const value of values) {
      for (const part of value.split(/[;\s]+/)) {
        const eq = part.indexOf('=');
        const cookieValue = eq >= 0 ? part.slice(eq + 1) : part;
        for (const candidate of [part, cookieValue, safeDecode(cookieValue)]) this.noteSecret(candidate);
        this.#noteJwtEmails(cookieValue);
      }
    }
  }

  noteSecret(value: string): void {
    const trimmed = value.replace(/^"|"$/g, '');
    if (trimmed.length >= MIN_SECRET_LENGTH && !/^bearer$/i.test(trimmed)) this.#secrets.add(trimmed);
  }

  noteEmail(email: string): void {
    if (email.length >= 3) this.#emails.add(email);
  }

  /** Describes every problem in `lines` (empty when clean). */
  findProblems(lines: Iterable<string>): string[] {
    const problems: string[] = [];
    for (const raw of lines) {
      this.#lines += 1;
      const line = raw.trimEnd();
      if (line === '') continue;
      const quote = line.length > 160 ? `${line.slice(0, 160)}...` : line;
      let parsed: Record<string, unknown> | undefined;
      try {
        const value: unknown = JSON.parse(line);
        if (value !== null && typeof value === 'object' && !Array.isArray(value))
          parsed = value as Record<string, unknown>;
      } catch {
        // reported below
      }
      if (parsed === undefined) {
        problems.push(`not a JSON object line: ${quote}`);
      }
      // The keyed email hash is random base64url and may spell "eyJ" by chance: check its shape, then leave it out.
      // Both the line as written and re-serialised (which undoes \u escapes) are scanned.
      let text = parsed === undefined ? line : `${line}\n${JSON.stringify(parsed)}`;
      if (parsed !== undefined && typeof parsed.emailHash === 'string') {
        const hash = parsed.emailHash;
        if (!/^[A-Za-z0-9_-]{22}$/.test(hash)) problems.push(`emailHash has an odd shape: ${quote}`);
        text = `${line.replaceAll(hash, '<hash>')}\n${JSON.stringify({ ...parsed, emailHash: '<hash>' })}`;
      }
      for (const marker of PEM_MARKERS)
        if (text.includes(marker)) problems.push(`PEM marker "${marker}": ${quote}`);
      if (text.includes(JWT_PREFIX)) problems.push(`JWT-looking text: ${quote}`);
      const email = EMAIL.exec(text)?.[0];
      if (email !== undefined) problems.push(`email-looking text "${email}": ${quote}`);
      for (const secret of this.#secrets)
        if (text.includes(secret)) problems.push(`request secret "${secret.slice(0, 12)}...": ${quote}`);
      for (const noted of this.#emails) if (text.includes(noted)) problems.push(`request email: ${quote}`);
      if (parsed !== undefined) problems.push(...reasonProblems(parsed, quote));
    }
    return problems;
  }

  get linesChecked(): number {
    return this.#lines;
  }

  get secretsKnown(): number {
    return this.#secrets.size + this.#emails.size;
  }

  #noteJwtEmails(value: string): void {
    const segments = value.split('.');
    if (segments.length !== 3) return;
    try {
      const payload: unknown = JSON.parse(Buffer.from(segments[1] ?? '', 'base64url').toString('utf8'));
      collectStrings(payload, (text) => {
        if (text.includes('@')) this.noteEmail(text);
      });
    } catch {
      // not a JWT: the raw value is already noted
    }
  }
}

function reasonProblems(line: Record<string, unknown>, quote: string): string[] {
  const status = typeof line.status === 'number' ? line.status : undefined;
  const refusal = (status !== undefined && status >= 400) || line.level === 'WARN' || line.level === 'ERROR';
  const requestLine = line.message === 'generate-auth-token';
  if (!refusal && !requestLine) return [];
  const outcome = line.outcome;
  if (typeof outcome !== 'string' || !REASON_CODE.test(outcome))
    return [`no reason code (outcome): ${quote}`];
  if (status !== undefined && status >= 400 && (outcome === 'issued' || outcome === 'preflight')) {
    return [`refusal logged with a success outcome: ${quote}`];
  }
  return [];
}

function collectStrings(value: unknown, visit: (text: string) => void, depth = 0): void {
  if (depth > 5) return;
  if (typeof value === 'string') visit(value);
  else if (Array.isArray(value)) for (const item of value) collectStrings(item, visit, depth + 1);
  else if (value !== null && typeof value === 'object')
    for (const item of Object.values(value)) collectStrings(item, visit, depth + 1);
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

export interface CapturedOutput {
  /** Everything written to stdout/stderr or through console.* since capture started, one entry per line. */
  readonly lines: string[];
  /** Puts the real streams and console methods back (mockRestore on every spy). */
  restore(): void;
}

const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;

/**
 * Spies on everything that does not go through the handler's log sink (a stray console.log in a
 * dependency, the SDK's logger, stdoutSink). With `echo` (the default) output still reaches the
 * real streams.
 */
export function spyOnProcessOutput(options: { readonly echo?: boolean } = {}): CapturedOutput {
  const echo = options.echo ?? true;
  const lines: string[] = [];
  const push = (chunk: unknown) => {
    const text =
      typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk);
    for (const line of text.split('\n')) if (line.trim() !== '') lines.push(line);
  };
  const spyOnWrite = (stream: NodeJS.WriteStream) => {
    const original = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    return vi.spyOn(stream, 'write').mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
      push(chunk);
      if (echo) return original(chunk, ...rest);
      const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    }) as typeof stream.write);
  };
  const spies = [
    spyOnWrite(process.stdout),
    spyOnWrite(process.stderr),
    ...CONSOLE_METHODS.map((name) => {
      const original = console[name].bind(console);
      return vi.spyOn(console, name).mockImplementation((...args: unknown[]) => {
        push(args.map((arg) => (typeof arg === 'string' ? arg : safeStringify(arg))).join(' '));
        if (echo) original(...args);
      });
    }),
  ];
  return {
    lines,
    restore() {
      for (const spy of spies) spy.mockRestore();
    },
  };
}

function safeStringify(value: unknown): string {
  try {
    return value instanceof Error
      ? `${value.name}: ${value.message}\n${value.stack ?? ''}`
      : JSON.stringify(value);
  } catch {
    return String(value);
  }
}
