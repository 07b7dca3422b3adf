// A protocol-level stand-in for CloudFormation's DescribeStacks on 127.0.0.1: the awsQuery protocol
// (form-encoded Action=DescribeStacks, XML answer) that the real AWS SDK v3 client speaks when
// AWS_ENDPOINT_URL_CLOUDFORMATION points at it. Tests set each stack's outputs.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CloudFormationStandIn {
  readonly url: string;
  /** StackName -> outputs (OutputKey -> OutputValue) */
  readonly stacks: Map<string, Record<string, string>>;
  /** StackName of each DescribeStacks call, in order. */
  readonly calls: string[];
  close(): Promise<void>;
}

const xml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export async function startCloudFormationStandIn(): Promise<CloudFormationStandIn> {
  const stacks = new Map<string, Record<string, string>>();
  const calls: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const reply = (status: number, body: string) => {
        res.writeHead(status, { 'content-type': 'text/xml' });
        res.end(body);
      };
      if (form.get('Action') !== 'DescribeStacks') {
        return reply(
          400,
          '<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>unknown action</Message></Error><RequestId>r</RequestId></ErrorResponse>',
        );
      }
      const name = form.get('StackName') ?? '';
      calls.push(name);
      const outputs = stacks.get(name);
      if (outputs === undefined) {
        return reply(
          400,
          `<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id ${xml(name)} does not exist</Message></Error><RequestId>r</RequestId></ErrorResponse>`,
        );
      }
      const members = Object.entries(outputs)
        .map(
          ([key, value]) =>
            `<member><OutputKey>${xml(key)}</OutputKey><OutputValue>${xml(value)}</OutputValue></member>`,
        )
        .join('');
      return reply(
        200,
        `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member><StackName>${xml(name)}</StackName><StackId>arn:aws:cloudformation:eu-west-1:123456789012:stack/${xml(name)}/1</StackId><CreationTime>2026-11-01T00:00:00Z</CreationTime><StackStatus>CREATE_COMPLETE</StackStatus><Outputs>${members}</Outputs></member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DescribeStacksResponse>`,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stacks,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
