// Keeps docs/runbook.md true: every alarm the stack synthesizes has its own subsection stating the
// alarm's real metric, threshold and period; the commands filter on log fields that exist, name reason
// codes the function defines, look up outputs and resources the stack has, and run npm scripts that exist.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatEventLog, formatRequestLog } from '../../functions/generate-auth-token/request-log.ts';
import { buildApp } from '../../lib/app.ts';
import { DEFAULTS } from '../../lib/enrollment-token-api.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string) => readFileSync(join(root, path), 'utf8');

// --- The stack, synthesized as test/cdk/enrollment-token-stack.test.ts does (cdk.json's flags + context) ---

const cdkJsonContext = (JSON.parse(read('cdk.json')) as { context: Record<string, unknown> }).context;

/** A minimal deployable configuration with an alarm topic; no stackName, so the default one. */
const MINIMAL: Record<string, unknown> = {
  cognitoUserPoolId: 'eu-west-1_AbC123',
  cognitoClientIds: 'client1',
  allowedOrigins: 'https://app.example.com',
  alarmEmail: 'ops@example.com',
};

interface CfnResource {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
}

interface StackAlarm {
  /** The construct id in lib/enrollment-token-api.ts, e.g. FunctionErrorsAlarm. */
  readonly id: string;
  readonly logicalId: string;
  readonly properties: Record<string, unknown>;
}

let stack: Stack;
let template: Template;
let resources: Record<string, CfnResource>;
let alarms: StackAlarm[];

beforeAll(() => {
  stack = buildApp({ context: { ...cdkJsonContext, ...MINIMAL } }).stack;
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources as Record<string, CfnResource>;
  alarms = stack.node
    .findAll()
    .filter((construct): construct is cloudwatch.Alarm => construct instanceof cloudwatch.Alarm)
    .map((alarm) => {
      const logicalId = stack.resolve((alarm.node.defaultChild as cloudwatch.CfnAlarm).logicalId) as string;
      return { id: alarm.node.id, logicalId, properties: resources[logicalId]?.Properties ?? {} };
    });
});

// --- The docs -----------------------------------------------------------------------------------------------

const runbook = read('docs/runbook.md');

/** The README and every page it links to, where npm commands are shown to readers. */
const allDocs = [
  'README.md',
  'web-snippet/README.md',
  ...readdirSync(join(root, 'docs')).map((name) => `docs/${name}`),
]
  .filter((path) => path.endsWith('.md'))
  .map((path) => read(path))
  .join('\n');

/** `## ` sections of the runbook, keyed by the heading's first word (`## Api5xxAlarm: ...` -> Api5xxAlarm). */
const subsections = new Map(
  runbook
    .split('\n## ')
    .slice(1)
    .map((part) => [part.split(/[:\s]/, 1)[0] ?? '', part] as const),
);

/** Shell commands with their `\` continuations joined, one per line. */
const commandLines = runbook.replaceAll(/\\\n\s*/g, ' ').split('\n');

function matchesOf(text: string, pattern: RegExp, group = 1): string[] {
  return [...text.matchAll(pattern)].map((match) => match[group] ?? '');
}

// --- The function sources ------------------------------------------------------------------------------------

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

const functionSources = sourceFiles('functions')
  .map((path) => read(path))
  .join('\n');

/** A string literal somewhere in functions/ (a reason code, an outcome, an environment variable name). */
const isFunctionLiteral = (value: string) =>
  functionSources.includes(`'${value}'`) || functionSources.includes(`"${value}"`);

describe('docs/runbook.md: the alarms', () => {
  it('names every alarm of the stack in a Runbook subsection of its own, and no alarm the stack lacks', () => {
    const templateAlarmIds = Object.entries(resources)
      .filter(([, resource]) => resource.Type === 'AWS::CloudWatch::Alarm')
      .map(([logicalId]) => logicalId)
      .sort();
    // Every alarm in the template is one of the constructs found, and carries its construct id.
    expect(alarms.map((alarm) => alarm.logicalId).sort()).toEqual(templateAlarmIds);
    expect(alarms.length).toBeGreaterThanOrEqual(1);
    for (const alarm of alarms) expect(alarm.logicalId).toContain(alarm.id);

    const documented = [...subsections.keys()].filter((heading) => heading.endsWith('Alarm')).sort();
    expect(documented).toEqual(alarms.map((alarm) => alarm.id).sort());
  });

  it('states each alarm as synthesized: statistic, metric, comparison, threshold, period and periods', () => {
    const fires =
      /\*\*Fires:\*\* (Sum|p99) of `([^`]+)`[^\n]*? (>=|>) (\d+)(?: ms)? in (?:5 min|(\d+) consecutive 5-min periods)/;
    // A metric-math alarm: "**Fires:** `<expression>` >= <threshold> in ...", the expression as synthesized.
    // "in N min" is one period of N minutes; "in K consecutive 5-min periods" is K periods of 5.
    const firesOnExpression =
      /\*\*Fires:\*\* `([^`]+)`[^\n]*? (>=|>) (\d+) in (?:(\d+) min|(\d+) consecutive 5-min periods)/;
    for (const alarm of alarms.filter((candidate) => candidate.properties.Metrics !== undefined)) {
      const p = alarm.properties;
      const match = firesOnExpression.exec(subsections.get(alarm.id) ?? '');
      expect(
        match,
        `${alarm.id}: a "**Fires:** \`<expression>\` <op> <threshold> in ..." line`,
      ).not.toBeNull();
      const [, expression, operator, threshold, minutes, periods] = match ?? [];
      const metrics = p.Metrics as { Expression?: string; MetricStat?: { Period: number } }[];
      expect(expression).toBe(metrics.find((metric) => metric.Expression !== undefined)?.Expression);
      expect(p.ComparisonOperator).toBe(
        operator === '>=' ? 'GreaterThanOrEqualToThreshold' : 'GreaterThanThreshold',
      );
      expect(p.Threshold).toBe(Number(threshold));
      const periodSeconds = periods === undefined ? Number(minutes) * 60 : 300;
      for (const metric of metrics)
        if (metric.MetricStat) expect(metric.MetricStat.Period).toBe(periodSeconds);
      expect(p.EvaluationPeriods).toBe(periods === undefined ? 1 : Number(periods));
    }
    for (const alarm of alarms.filter((candidate) => candidate.properties.Metrics === undefined)) {
      const text = subsections.get(alarm.id) ?? '';
      const match = fires.exec(text);
      expect(
        match,
        `${alarm.id}: a "**Fires:** <Sum|p99> of \`<metric>\` <op> <threshold> in ..." line`,
      ).not.toBeNull();
      const [, statistic, metricName, operator, threshold, periods] = match ?? [];
      const p = alarm.properties;
      expect({ alarm: alarm.id, metricName }).toEqual({ alarm: alarm.id, metricName: p.MetricName });
      if (statistic === 'Sum') expect(p.Statistic).toBe('Sum');
      else expect(p.ExtendedStatistic).toBe(statistic);
      expect(p.ComparisonOperator).toBe(
        operator === '>=' ? 'GreaterThanOrEqualToThreshold' : 'GreaterThanThreshold',
      );
      expect(p.Threshold).toBe(Number(threshold));
      expect(p.Period).toBe(300);
      expect(p.EvaluationPeriods).toBe(periods === undefined ? 1 : Number(periods));
    }
  });

  it('quotes, for alarms on a metric-filter metric, the exact filter pattern behind it', () => {
    const filters = Object.values(resources).filter(
      (resource) => resource.Type === 'AWS::Logs::MetricFilter',
    );
    const custom = alarms.filter((alarm) =>
      String(alarm.properties.Namespace).startsWith('OwnIdEnrollment/'),
    );
    expect(custom.map((alarm) => alarm.id).sort()).toEqual([
      'KeyFetchFailuresAlarm',
      'ThrottledRequestsAlarm',
    ]);
    for (const alarm of custom) {
      const filter = filters.find((resource) =>
        (resource.Properties.MetricTransformations as { MetricName: string }[]).some(
          (transformation) => transformation.MetricName === alarm.properties.MetricName,
        ),
      );
      const pattern = filter?.Properties.FilterPattern as string;
      expect(pattern).toMatch(/^\{.*\}$/);
      const firesParagraph = (subsections.get(alarm.id) ?? '')
        .split('\n\n')
        .find((p) => p.startsWith('**Fires:**'));
      expect(firesParagraph?.replaceAll('\n', ' '), alarm.id).toContain(`\`${pattern}\``);
    }
  });
});

describe('docs/runbook.md: the commands', () => {
  it('mentions only reason codes and outcomes that the function sources define', () => {
    const codes = new Set([
      // `key_invalid` in prose
      ...matchesOf(runbook, /`([a-z]+(?:_[a-z0-9]+)+)`/g),
      // $.outcome = "key_invalid" in filter patterns
      ...matchesOf(runbook, /\$\.outcome\s*!?=\s*"([^"]+)"/g),
      // "outcome":"config_invalid" in quoted log lines
      ...matchesOf(runbook, /"outcome":\s*"([^"]+)"/g),
    ]);
    // The codes the KeyFetchFailures metric counts, and the cold start's, at least.
    expect([...codes]).toEqual(expect.arrayContaining(['key_invalid', 'key_unavailable', 'config_invalid']));
    const unknown = [...codes].filter((code) => !isFunctionLiteral(code));
    expect(unknown, 'reason codes in the runbook that functions/ never uses').toEqual([]);
  });

  it('filters the function log and the access log only on fields those logs have', () => {
    // The function's lines: the request line with every optional field, and the lines outside requests.
    const requestLine = formatRequestLog(
      {
        requestId: 'r',
        outcome: 'key_invalid',
        status: 500,
        source: 'none',
        coldStart: true,
        durationMs: 1,
        emailHash: 'h',
        detail: 'd',
      },
      new Date(0).toISOString(),
    );
    const eventFields = matchesOf(
      functionSources,
      /(?:formatEventLog|logEvent)\(\s*'[A-Z]+',\s*'[^']+',\s*\{([^}]*)\}/g,
    ).flatMap((fields) => matchesOf(fields, /(\w+)\s*:/g));
    expect(eventFields).toEqual(expect.arrayContaining(['outcome', 'variables', 'detail']));
    const functionFields = new Set([
      ...Object.keys(JSON.parse(requestLine) as object),
      ...Object.keys(
        JSON.parse(formatEventLog('WARN', 'cold-start', {}, new Date(0).toISOString())) as object,
      ),
      ...eventFields,
    ]);

    // The access log: the stage's format, with every $context variable logged as "-" (status as a number).
    const stages = Object.values(resources).filter((resource) => resource.Type === 'AWS::ApiGateway::Stage');
    expect(stages).toHaveLength(1);
    const format = (stages[0]!.Properties.AccessLogSetting as { Format: string }).Format;
    const accessFields = new Set(
      Object.keys(
        JSON.parse(
          format.replaceAll(/\$context\.[A-Za-z.]+/g, (name) => (name === '$context.status' ? '500' : '-')),
        ) as object,
      ),
    );

    const used = { function: new Set<string>(), access: new Set<string>() };
    for (const line of commandLines.filter((l) => l.includes('--filter-pattern'))) {
      const group = line.includes('"$FN_LOGS"')
        ? 'function'
        : line.includes('"$ACCESS_LOGS"')
          ? 'access'
          : undefined;
      expect(group, `a log group for: ${line}`).toBeDefined();
      for (const field of matchesOf(line, /\$\.(\w+)/g)) used[group ?? 'function'].add(field);
    }
    expect(used.function.size).toBeGreaterThan(0);
    expect(used.access.size).toBeGreaterThan(0);
    expect([...used.function].filter((field) => !functionFields.has(field))).toEqual([]);
    expect([...used.access].filter((field) => !accessFields.has(field))).toEqual([]);
  });

  it('looks up outputs, resources, the stack and the stage that the synthesized stack has', () => {
    const outputs = Object.keys(template.toJSON().Outputs as object);
    const outputKeys = matchesOf(runbook, /OutputKey=='(\w+)'/g);
    expect(outputKeys.length).toBeGreaterThan(0);
    for (const key of outputKeys) expect(outputs, key).toContain(key);

    // phys <type> <part of the logical id> must name exactly one resource.
    const lookups = [...runbook.matchAll(/phys (AWS::[A-Za-z0-9:]+) (\w+)/g)];
    expect(lookups.map((match) => match[2])).toEqual(
      expect.arrayContaining(['FunctionLogs', 'AccessLogs', 'Function', 'Api']),
    );
    for (const [, type, part] of lookups) {
      const found = Object.entries(resources).filter(
        ([logicalId, resource]) => resource.Type === type && logicalId.includes(part ?? ''),
      );
      expect(
        found.map(([logicalId]) => logicalId),
        `phys ${type} ${part}`,
      ).toHaveLength(1);
    }

    expect(/^STACK=(\S+)/m.exec(runbook)?.[1]).toBe(stack.stackName);
    expect(/^STAGE=(\S+)/m.exec(runbook)?.[1]).toBe(DEFAULTS.stageName);
    // API Gateway metrics are keyed on ApiName = the stack name, as the Count query assumes.
    if (runbook.includes('Name=ApiName,Value="$STACK"')) {
      const apiNames = alarms.flatMap((alarm) =>
        ((alarm.properties.Dimensions as { Name: string; Value: unknown }[] | undefined) ?? [])
          .filter((dimension) => dimension.Name === 'ApiName')
          .map((dimension) => dimension.Value),
      );
      expect(apiNames.length).toBeGreaterThan(0);
      for (const name of apiNames) expect(name).toBe(stack.stackName);
    }

    // Environment variable names the runbook reads or mentions are the function's.
    const variables = matchesOf(runbook, /\b((?:OWNID|SESSION|TOKEN|KEY|ALLOWED)_[A-Z0-9_]*[A-Z0-9])\b/g);
    expect(variables).toContain('OWNID_PRIVATE_KEY_SECRET_ID');
    expect([...new Set(variables)].filter((name) => !isFunctionLiteral(name))).toEqual([]);
  });

  it('runs only npm scripts that package.json defines (anywhere in the README and docs/)', () => {
    const scripts = Object.keys(
      (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts,
    );
    const named = new Set([
      ...matchesOf(allDocs, /\bnpm run ([\w:-]+)/g),
      ...matchesOf(allDocs, /\bnpm (start|test)\b/g),
    ]);
    // The operator tools the runbook is built around.
    expect([...named]).toEqual(expect.arrayContaining(['key:put', 'key:check', 'token:inspect', 'smoke']));
    expect([...named].filter((script) => !scripts.includes(script)).sort()).toEqual([]);
  });
});
