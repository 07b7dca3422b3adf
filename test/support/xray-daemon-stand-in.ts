// The X-Ray daemon on 127.0.0.1 (a UDP socket), and the environment Lambda gives a Node.js function
// with active tracing: what the traced bundle's tests and the bench's tracing section run it under.
import { createSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';

/** What Lambda sets for a Node.js function with active tracing (the trace header comes per invocation). */
export const LAMBDA_TRACING_ENV = {
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
  LAMBDA_TASK_ROOT: '/var/task',
  AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
  AWS_LAMBDA_FUNCTION_NAME: 'enrollment',
  _HANDLER: 'index.handler',
} as const;

/** One subsegment document as the daemon receives it (the fields the tests read). */
export interface XRaySubsegment {
  readonly name: string;
  readonly id: string;
  readonly trace_id: string;
  readonly parent_id: string;
  readonly type: string;
  readonly namespace?: string;
  readonly start_time: number;
  readonly end_time?: number;
  readonly fault?: boolean;
  readonly error?: boolean;
  readonly annotations?: Record<string, unknown>;
  readonly metadata?: Record<string, unknown>;
  readonly aws?: Record<string, unknown>;
  readonly http?: { request?: { method?: string; url?: string }; response?: { status?: number } };
}

export interface XRayDaemonStandIn {
  /** For AWS_XRAY_DAEMON_ADDRESS. */
  readonly address: string;
  /** Every datagram, as text, in arrival order (clear it between scenarios). */
  readonly received: string[];
  /** The received datagrams as documents; throws on a datagram without the daemon's JSON header. */
  documents(): XRaySubsegment[];
  close(): Promise<void>;
}

export async function startXRayDaemonStandIn(): Promise<XRayDaemonStandIn> {
  const received: string[] = [];
  const socket = createSocket('udp4');
  socket.on('message', (message) => received.push(message.toString('utf8')));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(socket.address() as AddressInfo).port}`,
    received,
    // Each datagram is a header line and one (sub)segment document.
    documents: () =>
      received.map((datagram) => {
        const [header, body] = datagram.split('\n');
        if (header !== '{"format":"json","version":1}') throw new Error(`not an X-Ray datagram: ${datagram}`);
        return JSON.parse(body ?? '') as XRaySubsegment;
      }),
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
