// The REST API in front of the function: two routes (the token and, beside it, the outcome), each a POST
// (Lambda proxy), the CORS preflight and a 405 for any other method (both mocks, no invocation); API
// Gateway's own error answers, access and execution logs.
import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import {
  ALLOWED_METHODS,
  ERROR_BODIES,
  NO_STORE_HEADERS,
  OUTCOME_PATH_SEGMENT,
  PREFLIGHT_HEADERS,
} from '../contract/http.ts';

export interface EnrollmentApiProps {
  readonly handler: lambda.IFunction;
  readonly path: string;
  readonly stageName: string;
  /** Exact origins allowed with credentials; none means no preflight and no CORS header. */
  readonly allowedOrigins: readonly string[];
  readonly throttlingRateLimit: number;
  readonly throttlingBurstLimit: number;
  readonly logRetention: logs.RetentionDays;
  readonly disableExecuteApiEndpoint: boolean;
  /** Create the API Gateway CloudWatch Logs role and set it as the account's (region-wide) setting. */
  readonly cloudWatchRole: boolean;
  readonly tracing: boolean;
}

/** The outcome route beside the token route: its last segment replaced by `enrollment-outcome`. */
export function outcomePathFor(tokenPath: string): string {
  return `${tokenPath.slice(0, tokenPath.lastIndexOf('/'))}/${OUTCOME_PATH_SEGMENT}`;
}

/** The token path may not take the outcome route's place. */
export function routePathProblems(tokenPath: string): string[] {
  return tokenPath === outcomePathFor(tokenPath)
    ? [`path must not end in "/${OUTCOME_PATH_SEGMENT}": that is the outcome route beside the token route`]
    : [];
}

const NO_AUTHORIZER_REASON =
  'Authorization is the whole job of the function: it verifies the session itself (Bearer JWT, session cookie or introspection). Cookie sessions and non-Cognito issuers cannot use an API Gateway authorizer.';

/**
 * `POST <path>` and `POST <outcomePath>` on a regional REST API named after the stack. The access log
 * group is created beside it in `scope` (id `AccessLogs`), as is the execution log group (id
 * `ExecutionLogs`), to own its retention.
 */
export class EnrollmentApi extends apigw.RestApi {
  readonly accessLogGroup: logs.LogGroup;
  /** The token route's Lambda-backed method: its metrics exclude the preflight and 405 mocks. */
  readonly postMethod: apigw.Method;
  /** The outcome route's Lambda-backed method (same handler): stage settings, no detailed metrics. */
  readonly outcomeMethod: apigw.Method;
  readonly outcomePath: string;

  constructor(scope: Construct, id: string, props: EnrollmentApiProps) {
    const accessLogGroup = new logs.LogGroup(scope, 'AccessLogs', { retention: props.logRetention });
    super(scope, id, {
      // API Gateway metrics are keyed on ApiName + Stage: a per-stack name keeps two stacks' metrics apart.
      restApiName: Stack.of(scope).stackName,
      description: 'OwnID passkey enrollment token endpoint',
      endpointConfiguration: { types: [apigw.EndpointType.REGIONAL] },
      disableExecuteApiEndpoint: props.disableExecuteApiEndpoint,
      // API Gateway logging needs the account's CloudWatch Logs role, one setting per account and region
      // shared by every REST API there: created only on request, then RETAINed for the other APIs.
      cloudWatchRole: props.cloudWatchRole,
      ...(props.cloudWatchRole ? { cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN } : {}),
      deployOptions: {
        stageName: props.stageName,
        throttlingRateLimit: props.throttlingRateLimit,
        throttlingBurstLimit: props.throttlingBurstLimit,
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        // Detailed metrics are billed as custom metrics: on for the token POST only, so the latency alarms
        // measure what a user waits for, without the mocks and without the outcome POST, which the page
        // sends with keepalive and never waits for. Every method gets the stage's throttling.
        metricsEnabled: false,
        methodOptions: {
          [`${props.path}/POST`]: {
            metricsEnabled: true,
            // A method setting replaces the stage's for that method: repeat logging and throttling.
            loggingLevel: apigw.MethodLoggingLevel.ERROR,
            dataTraceEnabled: false,
            throttlingRateLimit: props.throttlingRateLimit,
            throttlingBurstLimit: props.throttlingBurstLimit,
          },
        },
        tracingEnabled: props.tracing,
        accessLogDestination: new apigw.LogGroupLogDestination(accessLogGroup),
        accessLogFormat: apigw.AccessLogFormat.custom(ACCESS_LOG_FORMAT),
      },
    });
    this.accessLogGroup = accessLogGroup;
    // RestApi's own `Endpoint` output is the stage root; the stack outputs the URL to call.
    this.node.tryRemoveChild('Endpoint');
    if (props.cloudWatchRole) {
      Validations.of(this.node.findChild('CloudWatchRole')).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason:
          'The account-wide API Gateway logging role uses the AWS-maintained AmazonAPIGatewayPushToCloudWatchLogs policy: it serves every REST API in the region, so it cannot be scoped to this one.',
      });
    }
    // API Gateway creates the execution log group on first use with no expiry; own it to set retention.
    const executionLogGroup = new logs.LogGroup(scope, 'ExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${this.restApiId}/${props.stageName}`,
      retention: props.logRetention,
    });
    this.deploymentStage.node.addDependency(executionLogGroup);

    // Validates declared parameters (the preflight's two headers). The POSTs declare none on purpose:
    // identity comes from either the Authorization header or a cookie, both optional, and the function
    // checks the body (size, JSON, fields) and answers with the contract's errors, so a body model would
    // only reject clients the function accepts, with API Gateway's words.
    const requestValidator = this.addRequestValidator('RequestValidator', {
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    const route = (path: string, operationName: string) =>
      this.addLambdaRoute(path, operationName, props, requestValidator);
    this.postMethod = route(props.path, 'GenerateAuthToken');
    this.outcomePath = outcomePathFor(props.path);
    this.outcomeMethod = route(this.outcomePath, 'ReportEnrollmentOutcome');
    this.addGatewayResponses(props.allowedOrigins);
  }

  /** POST as a Lambda proxy to the handler, the preflight (with allowed origins) and the 405 mock. */
  private addLambdaRoute(
    path: string,
    operationName: string,
    props: EnrollmentApiProps,
    requestValidator: apigw.RequestValidator,
  ): apigw.Method {
    const resource = this.root.resourceForPath(path);
    const post = resource.addMethod(
      'POST',
      new apigw.LambdaIntegration(props.handler, { proxy: true, allowTestInvoke: false }),
      { operationName, requestValidator },
    );
    acknowledgeNoAuthorizer(post, NO_AUTHORIZER_REASON);
    if (props.allowedOrigins.length > 0) {
      addPreflight(resource, `${operationName}Preflight`, props.allowedOrigins, requestValidator);
    }
    addMethodNotAllowed(resource, props.allowedOrigins);
    return post;
  }

  /**
   * API Gateway's own error answers (throttling, unknown path, integration failure). Their headers are
   * static or copied from the request; they cannot depend on an allow-list. So: with exactly one allowed
   * origin they carry it (a browser on another origin still cannot read them); with several, none
   * (echoing any request Origin would hand credentialed CORS to every site).
   */
  private addGatewayResponses(allowedOrigins: readonly string[]) {
    const single = allowedOrigins.length === 1 ? allowedOrigins[0] : undefined;
    const headers = quoteAll({
      ...NO_STORE_HEADERS,
      ...(allowedOrigins.length > 0 ? { Vary: 'Origin' } : {}),
      ...(single
        ? { 'Access-Control-Allow-Origin': single, 'Access-Control-Allow-Credentials': 'true' }
        : {}),
    });
    this.addGatewayResponse('Default4xx', { type: apigw.ResponseType.DEFAULT_4XX, responseHeaders: headers });
    this.addGatewayResponse('Default5xx', { type: apigw.ResponseType.DEFAULT_5XX, responseHeaders: headers });
    this.addGatewayResponse('Throttled', {
      type: apigw.ResponseType.THROTTLED,
      statusCode: '429',
      responseHeaders: headers,
      templates: { 'application/json': ERROR_BODIES[429] },
    });
    this.addGatewayResponse('NotFound', {
      type: apigw.ResponseType.MISSING_AUTHENTICATION_TOKEN,
      statusCode: '404',
      responseHeaders: headers,
      templates: { 'application/json': ERROR_BODIES[404] },
    });
  }
}

function acknowledgeNoAuthorizer(method: apigw.Method, reason: string): void {
  Validations.of(method).acknowledge({ id: 'AwsSolutions-APIG4', reason });
  Validations.of(method).acknowledge({ id: 'AwsSolutions-COG4', reason });
}

/**
 * OPTIONS answered by API Gateway itself (no Lambda invocation): 204, and only for an allowed Origin
 * the exact origin echoed with credentials, methods and headers. A mock's static header mapping can
 * hold one value only, so the origin is echoed from a mapping template, and only when it is listed.
 */
function addPreflight(
  resource: apigw.Resource,
  operationName: string,
  allowedOrigins: readonly string[],
  validator: apigw.RequestValidator,
): void {
  resource.addMethod(
    'OPTIONS',
    new apigw.MockIntegration({
      requestTemplates: { 'application/json': '{"statusCode": 204}' },
      integrationResponses: [
        {
          statusCode: '204',
          responseParameters: staticHeaders({ ...NO_STORE_HEADERS, Vary: 'Origin' }),
          responseTemplates: { 'application/json': echoAllowedOrigin(allowedOrigins, PREFLIGHT_HEADERS) },
        },
      ],
    }),
    {
      operationName,
      requestValidator: validator,
      requestParameters: {
        'method.request.header.Origin': true,
        'method.request.header.Access-Control-Request-Method': true,
      },
      methodResponses: [
        {
          statusCode: '204',
          responseParameters: declaredHeaders([
            ...Object.keys(NO_STORE_HEADERS),
            'Vary',
            'Access-Control-Allow-Origin',
            'Access-Control-Allow-Credentials',
            ...Object.keys(PREFLIGHT_HEADERS),
          ]),
        },
      ],
    },
  );
}

/** Any other method: 405 from a mock, without invoking the function. */
function addMethodNotAllowed(resource: apigw.Resource, allowedOrigins: readonly string[]): void {
  const method = resource.addMethod(
    'ANY',
    new apigw.MockIntegration({
      requestTemplates: { 'application/json': '{"statusCode": 405}' },
      integrationResponses: [
        {
          statusCode: '405',
          responseParameters: staticHeaders({
            ...NO_STORE_HEADERS,
            // OPTIONS exists only with allowed origins (the preflight).
            Allow: allowedOrigins.length > 0 ? ALLOWED_METHODS : 'POST',
            Vary: 'Origin',
          }),
          responseTemplates: {
            'application/json': `${echoAllowedOrigin(allowedOrigins, {})}${ERROR_BODIES[405]}`,
          },
        },
      ],
    }),
    {
      methodResponses: [
        {
          statusCode: '405',
          responseParameters: declaredHeaders([
            ...Object.keys(NO_STORE_HEADERS),
            'Allow',
            'Vary',
            'Access-Control-Allow-Origin',
            'Access-Control-Allow-Credentials',
          ]),
        },
      ],
    },
  );
  acknowledgeNoAuthorizer(
    method,
    'Mock integration that only answers 405 Method Not Allowed; nothing behind it to protect.',
  );
}

/**
 * JSON access log. Only status is unquoted (API Gateway always logs a number for it) so metric filters
 * compare numbers; every other value may be logged as `-` and stays a string so each line is valid JSON.
 */
const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  extendedRequestId: '$context.extendedRequestId',
  requestTime: '$context.requestTime',
  ip: '$context.identity.sourceIp',
  httpMethod: '$context.httpMethod',
  resourcePath: '$context.resourcePath',
  protocol: '$context.protocol',
  domainName: '$context.domainName',
  status: '__STATUS__',
  responseLatency: '$context.responseLatency',
  responseLength: '$context.responseLength',
  integrationStatus: '$context.integration.status',
  integrationLatency: '$context.integration.latency',
  errorType: '$context.error.responseType',
  wafResponseCode: '$context.wafResponseCode',
}).replace('"__STATUS__"', '$context.status');

function quoteAll(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, `'${value}'`]));
}

function staticHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [`method.response.header.${name}`, `'${value}'`]),
  );
}

function declaredHeaders(names: readonly string[]): Record<string, boolean> {
  return Object.fromEntries(names.map((name) => [`method.response.header.${name}`, true]));
}

/**
 * VTL that sets the CORS headers only when the request Origin is exactly one of `allowedOrigins`
 * (header names arrive as sent: HTTP/2 lowercases them). Origins are validated, so they hold no quotes.
 */
function echoAllowedOrigin(allowedOrigins: readonly string[], extraHeaders: Record<string, string>): string {
  if (allowedOrigins.length === 0) return '';
  const condition = allowedOrigins.map((origin) => `$origin == "${origin}"`).join(' || ');
  const lines = [
    '#set($origin = $input.params().header.get("Origin"))',
    '#if("$!origin" == "")#set($origin = $input.params().header.get("origin"))#end',
    `#if(${condition})`,
    '#set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)',
    '#set($context.responseOverride.header.Access-Control-Allow-Credentials = "true")',
    ...Object.entries(extraHeaders).map(
      ([name, value]) => `#set($context.responseOverride.header.${name} = "${value}")`,
    ),
    '#end',
  ];
  return `${lines.join('\n')}\n`;
}
