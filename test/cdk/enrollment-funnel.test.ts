// The funnel in the synthesized stack: the dashboard answers "is it working" (funnel, rate as metric
// math, skips, platforms), the two funnel alarms as on-call reads them, the EMF metric that replaced a
// metric filter, and the least-privilege event permission (none with enrollmentEvents off).
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { nagFindings, synth } from '../support/cdk-synth.ts';

const MINIMAL = {
  cognitoUserPoolId: 'eu-west-1_AbC123',
  cognitoClientIds: 'client1',
  allowedOrigins: 'https://app.example.com',
};

interface DashboardWidget {
  type: string;
  width: number;
  y: number;
  properties: {
    title: string;
    view?: string;
    metrics?: unknown[][];
    setPeriodToTimeRange?: boolean;
    stacked?: boolean;
  };
}

/** The dashboard body as CloudWatch reads it (the tokens of the stack replaced by placeholders). */
function dashboardWidgets(template: Template): DashboardWidget[] {
  const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
  expect(dashboards).toHaveLength(1);
  const body = (dashboards[0] as { Properties: { DashboardBody: unknown } }).Properties.DashboardBody;
  const text = JSON.stringify(body);
  // Fn::Join of strings and references: keep the strings, stand in for the references.
  const joined = (body as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1]
    .map((part) => (typeof part === 'string' ? part : 'REF'))
    .join('');
  expect(text.length).toBeGreaterThan(0);
  return (JSON.parse(joined) as { widgets: DashboardWidget[] }).widgets;
}

const byTitle = (widgets: DashboardWidget[], title: string) => {
  const widget = widgets.find((candidate) => candidate.properties.title === title);
  expect(widget, title).toBeDefined();
  return widget as DashboardWidget;
};

const expressionsOf = (widget: DashboardWidget) =>
  (widget.properties.metrics ?? []).flatMap((row) =>
    row.flatMap((cell) =>
      cell !== null && typeof cell === 'object' && 'expression' in cell ? [cell.expression] : [],
    ),
  );

function alarmProps(template: Template, id: string) {
  const found = Object.entries(template.findResources('AWS::CloudWatch::Alarm')).filter(([logicalId]) =>
    logicalId.includes(id),
  );
  expect(found, id).toHaveLength(1);
  const [, resource] = found[0] ?? [];
  return (resource as { Properties: Record<string, unknown> }).Properties;
}

interface AlarmQuery {
  Id: string;
  Expression?: string;
  ReturnData?: boolean;
  MetricStat?: {
    Metric: { MetricName: string; Namespace: unknown; Dimensions?: { Name: string; Value: string }[] };
    Period: number;
    Stat: string;
  };
}

function putEventsStatements(template: Template) {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) =>
    (
      policy as { Properties: { PolicyDocument: { Statement: { Action: unknown; Resource: unknown }[] } } }
    ).Properties.PolicyDocument.Statement.filter((statement) =>
      JSON.stringify(statement.Action).includes('events:'),
    ),
  );
}

let on: Template;
let off: Template;
beforeAll(() => {
  const defaults = synth(MINIMAL);
  on = defaults.template;
  expect(nagFindings(defaults.stack)).toEqual([]);
  const eventsOff = synth({ ...MINIMAL, stackName: 'OwnIdEnrollmentNoEvents', enrollmentEvents: 'false' });
  off = eventsOff.template;
  expect(nagFindings(eventsOff.stack)).toEqual([]);
});

describe('the dashboard answers "is it working" above the health widgets', () => {
  it('shows the funnel for the whole period, with the rate as metric math', () => {
    const widgets = dashboardWidgets(on);
    const funnel = byTitle(widgets, 'Enrollment funnel (whole period)');
    expect(funnel.type).toBe('metric');
    expect(funnel.properties.view).toBe('singleValue');
    expect(funnel.properties.setPeriodToTimeRange).toBe(true);
    const metricNames = (funnel.properties.metrics ?? []).map((row) =>
      row.filter((cell) => typeof cell === 'string').join(' '),
    );
    for (const step of [
      'TokenRequests',
      'TokensIssued',
      'EnrollmentOutcome enrolled',
      'EnrollmentOutcome cancelled',
      'EnrollmentOutcome failed',
      'EnrollmentOutcome ineligible',
    ]) {
      expect(
        metricNames.some((name) => name.includes(step)),
        step,
      ).toBe(true);
    }
    expect(expressionsOf(funnel)).toEqual(['100 * FILL(enrolled, 0) / issued']);
    // The funnel rows come first: y = 0, above the health graphs.
    expect(funnel.y).toBe(0);
    expect(byTitle(widgets, 'Tokens issued vs token requests').y).toBeGreaterThan(funnel.y);
  });

  it('graphs the enrollment rate over time as metric math', () => {
    const rate = byTitle(dashboardWidgets(on), 'Enrollment rate (% of tokens issued)');
    expect(expressionsOf(rate)).toEqual(['100 * FILL(enrolled, 0) / issued']);
    expect(rate.properties.view).toBe('timeSeries');
  });

  it('shows skips by reason and outcomes by platform family, and the per-user limit', () => {
    const widgets = dashboardWidgets(on);
    expect(expressionsOf(byTitle(widgets, 'Prompts skipped by reason'))).toEqual([
      `SEARCH('{"OwnIdEnrollment/OwnIdEnrollmentToken",SkipReason} MetricName="PromptsSkipped"', 'Sum', 300)`,
    ]);
    const platforms = byTitle(widgets, 'Outcomes by platform family (whole period)');
    expect(platforms.properties.view).toBe('bar');
    expect(expressionsOf(platforms)).toEqual([
      `SEARCH('{"OwnIdEnrollment/OwnIdEnrollmentToken",EnrollmentOutcome,PlatformFamily} MetricName="EnrollmentOutcomes"', 'Sum', 300)`,
    ]);
    const limits = JSON.stringify(byTitle(widgets, 'Per-user limit and policy store failures'));
    expect(limits).toContain('PerUserLimitHits');
    expect(limits).toContain('PolicyStoreFailures');
  });
});

describe('the funnel alarms', () => {
  it('fires when at least half of at least 10 outcomes in 15 minutes failed ("OwnID refuses our tokens")', () => {
    const p = alarmProps(on, 'EnrollmentFailureShareAlarm');
    expect(p).toMatchObject({
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 50,
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
    const queries = p.Metrics as AlarmQuery[];
    const sum = 'FILL(enrolled, 0) + FILL(cancelled, 0) + FILL(failed, 0)';
    expect(queries.find((q) => q.Expression !== undefined)).toMatchObject({
      Expression: `IF((${sum}) >= 10, 100 * FILL(failed, 0) / (${sum}), 0)`,
      ReturnData: true,
    });
    const outcomes = queries.filter((q) => q.MetricStat !== undefined);
    expect(outcomes.map((q) => [q.Id, q.MetricStat?.Metric.Dimensions])).toEqual(
      expect.arrayContaining([
        ['enrolled', [{ Name: 'EnrollmentOutcome', Value: 'enrolled' }]],
        ['cancelled', [{ Name: 'EnrollmentOutcome', Value: 'cancelled' }]],
        ['failed', [{ Name: 'EnrollmentOutcome', Value: 'failed' }]],
      ]),
    );
    for (const q of outcomes) {
      expect(q.MetricStat).toMatchObject({
        Metric: { MetricName: 'EnrollmentOutcomes' },
        Period: 900,
        Stat: 'Sum',
      });
    }
  });

  it('fires when an hour issues at least 20 tokens and not one enrolls', () => {
    const p = alarmProps(on, 'EnrollmentRateZeroAlarm');
    expect(p).toMatchObject({
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      EvaluationPeriods: 1,
    });
    const queries = p.Metrics as AlarmQuery[];
    expect(queries.find((q) => q.Expression !== undefined)?.Expression).toBe(
      'IF(issued >= 20 AND FILL(enrolled, 0) == 0, 1, 0)',
    );
    const issued = queries.find((q) => q.Id === 'issued');
    expect(issued?.MetricStat).toMatchObject({ Metric: { MetricName: 'TokensIssued' }, Period: 3600 });
    expect(issued?.MetricStat?.Metric.Dimensions).toBeUndefined();
  });
});

describe('the function writes the funnel metrics itself', () => {
  it('keeps no TokensIssued metric filter (the EMF metric replaced it); the others stay', () => {
    const transformations = Object.values(on.findResources('AWS::Logs::MetricFilter')).flatMap(
      (filter) =>
        (filter as { Properties: { MetricTransformations: { MetricName: string }[] } }).Properties
          .MetricTransformations,
    );
    expect(transformations.map((t) => t.MetricName).sort()).toEqual([
      'KeyFetchFailures',
      'Refusals',
      'ThrottledRequests',
    ]);
  });

  it('tells the function its metric namespace', () => {
    on.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ METRICS_NAMESPACE: 'OwnIdEnrollment/OwnIdEnrollmentToken' }),
      },
    });
  });
});

describe('the Passkey Enrolled event permission', () => {
  it('grants events:PutEvents on the default bus of this account and region only', () => {
    const statements = putEventsStatements(on);
    expect(statements).toHaveLength(1);
    expect(statements[0]?.Action).toBe('events:PutEvents');
    expect(statements[0]?.Resource).toEqual({
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':events:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          ':event-bus/default',
        ],
      ],
    });
    // On by default: the function reads the absent variable as true.
    on.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ ENROLLMENT_EVENTS: Match.absent() }) },
    });
  });

  it('grants nothing and turns the events off with enrollmentEvents=false', () => {
    expect(putEventsStatements(off)).toEqual([]);
    off.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ ENROLLMENT_EVENTS: 'false' }) },
    });
  });
});
