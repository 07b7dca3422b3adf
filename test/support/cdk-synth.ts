// Synthesizing the CDK app the way `cdk synth` does, for the tests under test/cdk/.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import cdkNag from 'cdk-nag';
import { buildApp } from '../../lib/app.ts';
import { projectRoot } from '../../scripts/esbuild-config.ts';

const { AwsSolutionsChecks } = cdkNag;

/** The feature flags `cdk synth` gets from cdk.json, so tests synthesize what the CLI does. */
export const cdkJsonContext = (
  JSON.parse(readFileSync(join(projectRoot, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }
).context;

export function synth(context: Record<string, unknown>) {
  const { app, stack } = buildApp({ context: { ...cdkJsonContext, ...context } });
  // Unacknowledged cdk-nag findings (errors and warnings) fail synthesis; checked explicitly too.
  const template = Template.fromStack(stack);
  return { app, stack, template };
}

/** Every unacknowledged AwsSolutions finding, as `RuleId path`. */
export function nagFindings(stack: Stack): string[] {
  const report = new AwsSolutionsChecks(undefined, { verbose: false }).validateScope(stack);
  return report.violations.flatMap((violation) =>
    violation.violatingResources.map((resource) => `${violation.ruleName} ${resource.constructPath ?? ''}`),
  );
}
