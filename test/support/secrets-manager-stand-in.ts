// A protocol-level stand-in for AWS Secrets Manager on 127.0.0.1: it speaks the JSON 1.1 protocol
// (`X-Amz-Target: secretsmanager.GetSecretValue` / `PutSecretValue`) that the real AWS SDK v3 client
// sends when AWS_ENDPOINT_URL_SECRETS_MANAGER points at it. Each test sets the secrets and the failure mode.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './loopback-server.ts';

export type SecretsManagerMode =
  | 'ok'
  | 'internal-error'
  | 'throttling'
  | 'hang'
  | 'slow'
  | 'not-found'
  | 'access-denied';

export interface SecretsManagerStandIn {
  readonly url: string;
  /** SecretId -> SecretString */
  readonly secrets: Map<string, string>;
  /** Secrets that exist without a value yet (as the stack creates its key secret): PutSecretValue fills them. */
  readonly emptySecrets: Set<string>;
  /** PutSecretValue calls received, in order (GetSecretValue calls are in `calls`). */
  readonly puts: { secretId: string; secretString: string }[];
  mode: SecretsManagerMode;
  slowMs: number;
  /** GetSecretValue calls received, in order. */
  readonly calls: string[];
  /** The SigV4 credential-scope region of each call, in order (the region the SDK signed for). */
  readonly regions: string[];
  close(): Promise<void>;
}

export async function startSecretsManagerStandIn(): Promise<SecretsManagerStandIn> {
  const hanging = new Set<ServerResponse>();
  const standIn = {
    url: '',
    secrets: new Map<string, string>(),
    emptySecrets: new Set<string>(),
    puts: [] as { secretId: string; secretString: string }[],
    mode: 'ok' as SecretsManagerMode,
    slowMs: 300,
    calls: [] as string[],
    regions: [] as string[],
    close: async () => {},
  };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const target = req.headers['x-amz-target'];
      const error = (status: number, type: string, message: string) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': type });
        res.end(JSON.stringify({ __type: type, message }));
      };
      const operation =
        target === 'secretsmanager.GetSecretValue'
          ? 'get'
          : target === 'secretsmanager.PutSecretValue'
            ? 'put'
            : undefined;
      if (operation === undefined) return error(400, 'UnknownOperationException', 'unknown operation');
      let request: { SecretId?: unknown; SecretString?: unknown };
      try {
        request = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof request;
      } catch {
        return error(400, 'SerializationException', 'bad body');
      }
      const secretId = String(request.SecretId ?? '');
      if (operation === 'put') {
        const secretString = String(request.SecretString ?? '');
        standIn.puts.push({ secretId, secretString });
        if (standIn.mode === 'access-denied')
          return error(400, 'AccessDeniedException', 'not authorized to PutSecretValue');
        if (!standIn.secrets.has(secretId) && !standIn.emptySecrets.has(secretId)) {
          return error(400, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
        }
        standIn.secrets.set(secretId, secretString);
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(
          JSON.stringify({
            ARN: `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${secretId}-AbCdEf`,
            Name: secretId,
            VersionId: `v${standIn.puts.length}`,
            VersionStages: ['AWSCURRENT'],
          }),
        );
        return undefined;
      }
      standIn.calls.push(secretId);
      const scope = /Credential=[^/]+\/\d{8}\/([^/]+)\/secretsmanager\//.exec(
        String(req.headers.authorization ?? ''),
      );
      standIn.regions.push(scope?.[1] ?? 'unsigned');
      const answer = () => {
        const secretString = standIn.secrets.get(secretId);
        if (secretString === undefined) {
          return error(400, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
        }
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(
          JSON.stringify({
            ARN: `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${secretId}-AbCdEf`,
            Name: secretId,
            SecretString: secretString,
            VersionId: 'v1',
            VersionStages: ['AWSCURRENT'],
            CreatedDate: 1_700_000_000,
          }),
        );
      };
      switch (standIn.mode) {
        case 'internal-error':
          return error(500, 'InternalServiceError', 'boom');
        case 'throttling':
          return error(400, 'ThrottlingException', 'Rate exceeded');
        case 'not-found':
          return error(400, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
        case 'access-denied':
          return error(400, 'AccessDeniedException', 'not authorized');
        case 'hang':
          hanging.add(res);
          return undefined;
        case 'slow':
          setTimeout(answer, standIn.slowMs);
          return undefined;
        default:
          return answer();
      }
    });
  });
  const listening = await listenOnLoopback(server, hanging);
  standIn.url = listening.url;
  standIn.close = listening.close;
  return standIn;
}

/** The environment the real SDK needs to reach the stand-in (no real credentials, no real AWS). */
export function secretsManagerEnv(url: string): Record<string, string> {
  return {
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'AKIATESTSTANDIN00000',
    AWS_SECRET_ACCESS_KEY: 'test-secret-for-stand-in-only',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: url,
  };
}
