// What on-call reads: metric filters on the function and access logs, alarms (optionally to SNS) and
// one dashboard.
import { Aws, Duration, Validations } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as snsSubscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { funnelAlarmSpecs, funnelMetrics, funnelWidgets } from './enrollment-funnel.ts';
import { addEnrollmentQueries } from './enrollment-queries.ts';

export interface EnrollmentObservabilityProps {
  readonly function: lambda.Function;
  readonly functionLogGroup: logs.ILogGroup;
  readonly accessLogGroup: logs.ILogGroup;
  readonly stage: apigw.Stage;
  /** The token route's Lambda-backed method (detailed metrics on): latency alarms measure it alone. */
  readonly postMethod: apigw.Method;
  /** Namespace of the metric-filter metrics and of the funnel metrics the function writes. */
  readonly metricNamespace: string;
  readonly latencyAlarmThresholdMs: number;
  /** @default - no WAF widget */
  readonly webAcl?: wafv2.CfnWebACL;
  /** An existing topic for alarm and OK actions. @default - a topic is created when `alarmEmail` is set */
  readonly alarmTopicArn?: string;
  /** Subscribed to the alarm topic. @default - no subscription */
  readonly alarmEmail?: string;
}

const period = Duration.minutes(5);

/** The no-tokens alarm needs at least this many token requests per period: a quiet night is not an outage. */
export const NO_TOKENS_MIN_REQUESTS = 5;

type FilterMetrics = ReturnType<EnrollmentObservability['addMetricFilters']>;

export class EnrollmentObservability extends Construct {
  readonly alarms: readonly cloudwatch.Alarm[];
  /** Where alarms go; undefined when no topic or email was given (alarms have no action then). */
  readonly alarmTopic: sns.ITopic | undefined;
  /** The topic this construct created for `alarmEmail`, if any. */
  readonly createdAlarmTopic: sns.Topic | undefined;
  readonly dashboard: cloudwatch.Dashboard;
  readonly queries: readonly logs.QueryDefinition[];

  constructor(
    scope: Construct,
    id: string,
    private readonly props: EnrollmentObservabilityProps,
  ) {
    super(scope, id);
    const metrics = this.addMetricFilters();
    this.createdAlarmTopic =
      props.alarmTopicArn === undefined && props.alarmEmail !== undefined
        ? this.createAlarmTopic()
        : undefined;
    this.alarmTopic =
      props.alarmTopicArn !== undefined
        ? sns.Topic.fromTopicArn(this, 'AlarmTopic', props.alarmTopicArn)
        : this.createdAlarmTopic;
    if (this.alarmTopic !== undefined && props.alarmEmail !== undefined) {
      this.alarmTopic.addSubscription(new snsSubscriptions.EmailSubscription(props.alarmEmail));
    }
    this.alarms = this.addAlarms(metrics);
    this.dashboard = this.addDashboard(metrics);
    this.queries = addEnrollmentQueries(this, {
      folder: props.metricNamespace,
      functionLogGroup: props.functionLogGroup,
      accessLogGroup: props.accessLogGroup,
    });
  }

  private addMetricFilters() {
    const namespace = this.props.metricNamespace;
    const filter = (
      id: string,
      logGroup: logs.ILogGroup,
      pattern: string,
      metricName: string,
      dimensions?: Record<string, string>,
    ) =>
      new logs.MetricFilter(this, id, {
        logGroup,
        filterPattern: logs.FilterPattern.literal(pattern),
        metricNamespace: namespace,
        metricName,
        metricValue: '1',
        dimensions,
        unit: cloudwatch.Unit.COUNT,
      });
    // TokensIssued comes from the function's own metric lines (the funnel); the rest have no metric line.
    // 4xx only: 5xx outcomes are failures, counted by the 5xx and KeyFetchFailures alarms.
    filter(
      'RefusalsFilter',
      this.props.functionLogGroup,
      '{ ($.status >= 400) && ($.status < 500) }',
      'Refusals',
      {
        Outcome: '$.outcome',
      },
    );
    filter(
      'KeyFetchFailuresFilter',
      this.props.functionLogGroup,
      '{ ($.outcome = "key_unavailable") || ($.outcome = "key_invalid") }',
      'KeyFetchFailures',
    );
    // API Gateway's 4XXError lumps 429 with 401/403; the access log has the exact status and why.
    // THROTTLED is stage (or account) throttling; WAF rate-limit blocks are also 429 but are counted
    // by WAF's own BlockedRequests metric (dashboard), not here.
    filter(
      'ThrottledRequestsFilter',
      this.props.accessLogGroup,
      '{ ($.status = 429) && ($.errorType = "THROTTLED") }',
      'ThrottledRequests',
    );
    const metric = (metricName: string) =>
      new cloudwatch.Metric({ namespace, metricName, statistic: 'Sum', period, unit: cloudwatch.Unit.COUNT });
    return {
      funnel: funnelMetrics(namespace),
      keyFetchFailures: metric('KeyFetchFailures'),
      throttled: metric('ThrottledRequests'),
      refusalsByReason: new cloudwatch.MathExpression({
        expression: `SEARCH('{"${namespace}",Outcome} MetricName="Refusals"', 'Sum', 300)`,
        label: '',
        period,
      }),
    };
  }

  private createAlarmTopic(): sns.Topic {
    const topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'OwnID enrollment token endpoint alarms',
      enforceSSL: true,
    });
    Validations.of(topic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason:
        'Alarm notifications carry alarm names and states only. CloudWatch alarms cannot publish to a topic encrypted with the AWS managed SNS key, and a customer key for this alone is not worth its cost; bring an encrypted topic with alarmTopicArn if policy requires.',
    });
    // enforceSSL gives the topic a policy (Deny only), which replaces the default one: CloudWatch
    // alarms publish as the service principal and need their own Allow, scoped to this account's alarms.
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarms',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: {
            'aws:SourceArn': `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:*`,
          },
        },
      }),
    );
    return topic;
  }

  private alarm(
    id: string,
    metric: cloudwatch.IMetric,
    threshold: number,
    description: string,
    evaluationPeriods = 1,
    comparisonOperator = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
  ): cloudwatch.Alarm {
    const created = new cloudwatch.Alarm(this, id, {
      metric,
      threshold,
      evaluationPeriods,
      comparisonOperator,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    });
    if (this.alarmTopic !== undefined) {
      created.addAlarmAction(new cloudwatchActions.SnsAction(this.alarmTopic));
      created.addOkAction(new cloudwatchActions.SnsAction(this.alarmTopic));
    }
    return created;
  }

  private addAlarms(metrics: FilterMetrics): cloudwatch.Alarm[] {
    const { stage, postMethod, latencyAlarmThresholdMs: latencyMs } = this.props;
    const fn = this.props.function;
    return [
      this.alarm(
        'FunctionErrorsAlarm',
        fn.metricErrors({ period, statistic: 'Sum' }),
        1,
        'The function crashed or failed its cold start (often a configuration error: read the function log for the variable name).',
      ),
      this.alarm(
        'Api5xxAlarm',
        stage.metricServerError({ period, statistic: 'Sum' }),
        5,
        'The endpoint answered 5xx at least 5 times in 5 minutes: key missing or invalid (500), Secrets Manager or JWKS down (503), the policy state table unavailable on the outcome route (503), or function failure (502/504).',
      ),
      this.alarm(
        'ThrottledRequestsAlarm',
        metrics.throttled,
        10,
        'API Gateway throttled (429 THROTTLED) at least 10 requests in 5 minutes: traffic above the stage throttling limits (abuse, or limits too low). WAF rate-limit blocks are not counted here.',
      ),
      this.alarm(
        'LatencyP99Alarm',
        postMethod.metricLatency(stage, { period, statistic: 'p99' }),
        latencyMs,
        `Token POST p99 latency above ${latencyMs} ms for 15 minutes: a slow dependency (Secrets Manager, JWKS, introspection, the state table) or too little memory.`,
        3,
        cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      ),
      this.alarm(
        'IntegrationLatencyP99Alarm',
        postMethod.metricIntegrationLatency(stage, { period, statistic: 'p99' }),
        latencyMs,
        `Token POST p99 integration latency (API Gateway waiting for the function) above ${latencyMs} ms for 15 minutes: the function itself is slow (cold starts, a dependency, memory).`,
        3,
        cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      ),
      this.alarm(
        'FunctionThrottlesAlarm',
        fn.metricThrottles({ period, statistic: 'Sum' }),
        1,
        'Lambda throttled the function (account or reserved concurrency exhausted): callers get 5xx. Raise reservedConcurrentExecutions or the account quota.',
      ),
      this.alarm(
        'NoTokensIssuedAlarm',
        new cloudwatch.MathExpression({
          // Requests to the token route alone: the function also serves outcome reports, and a device that
          // cannot make a passkey reports without ever asking for a token. `answered` counts the requests
          // with a verified session (a token, a policy skip or the per-user limit): a rollout at 0% or
          // users who all declined issue no token by design, and must not page anyone.
          expression: `IF(requests >= ${NO_TOKENS_MIN_REQUESTS} AND FILL(answered, 0) == 0, 1, 0)`,
          usingMetrics: {
            requests: postMethod.metricCount(stage, { period, statistic: 'Sum' }),
            answered: metrics.funnel.tokenRequests,
          },
          label: 'Token requests but none answered (no token, no policy skip)',
          period,
        }),
        1,
        `No token issued and no prompt skipped by the policy for 15 minutes while the token route got at least ${NO_TOKENS_MIN_REQUESTS} requests per 5 minutes: a broken key or session source refuses everyone.`,
        3,
      ),
      this.alarm(
        'KeyFetchFailuresAlarm',
        metrics.keyFetchFailures,
        1,
        'The OwnID private key could not be read (key_unavailable) or is not a usable RSA private key (key_invalid): check the secret value and the function permissions.',
      ),
      ...funnelAlarmSpecs(metrics.funnel).map((spec) =>
        this.alarm(spec.id, spec.metric, spec.threshold, spec.description),
      ),
    ];
  }

  private addDashboard(metrics: FilterMetrics): cloudwatch.Dashboard {
    const { stage, postMethod, webAcl } = this.props;
    const fn = this.props.function;
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.days(1),
      periodOverride: cloudwatch.PeriodOverride.AUTO,
    });
    // Is it working (the funnel) first, then is it healthy.
    for (const row of funnelWidgets(metrics.funnel)) dashboard.addWidgets(...row);
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Tokens issued vs token requests',
        left: [
          metrics.funnel.tokensIssued,
          postMethod.metricCount(stage, { period, statistic: 'Sum', label: 'Token requests' }),
        ],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Refusals (4xx) by reason',
        left: [metrics.refusalsByReason],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Throttled (429) and errors',
        left: [
          metrics.throttled,
          stage.metricClientError({ period, statistic: 'Sum' }),
          stage.metricServerError({ period, statistic: 'Sum' }),
        ],
        width: 8,
      }),
    );
    const wafMetrics = webAcl
      ? [
          new cloudwatch.Metric({
            namespace: 'AWS/WAFV2',
            metricName: 'BlockedRequests',
            dimensionsMap: { WebACL: webAcl.name ?? '', Rule: 'RateLimitPerIp', Region: Aws.REGION },
            statistic: 'Sum',
            period,
            label: 'WAF rate limit (429)',
          }),
        ]
      : [];
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Latency (ms)',
        left: [
          postMethod.metricLatency(stage, { period, statistic: 'p50', label: 'Token POST p50' }),
          postMethod.metricLatency(stage, { period, statistic: 'p99', label: 'Token POST p99' }),
          postMethod.metricIntegrationLatency(stage, {
            period,
            statistic: 'p99',
            label: 'Token POST integration p99',
          }),
          fn.metricDuration({ period, statistic: 'p99' }),
        ],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Requests',
        left: [stage.metricCount({ period, statistic: 'Sum' }), ...wafMetrics],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Function',
        left: [
          fn.metricInvocations({ period, statistic: 'Sum' }),
          fn.metricErrors({ period, statistic: 'Sum' }),
          fn.metricThrottles({ period, statistic: 'Sum' }),
          metrics.keyFetchFailures,
        ],
        right: [fn.metric('ConcurrentExecutions', { period, statistic: 'Maximum' })],
        width: 8,
      }),
    );
    dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: [...this.alarms], width: 24 }),
    );
    return dashboard;
  }
}
