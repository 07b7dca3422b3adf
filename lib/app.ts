// The CDK app as bin/app.ts builds it, callable from tests without spawning the CLI.
import { App, type AppProps, Validations } from 'aws-cdk-lib';
// cdk-nag is CommonJS without statically detectable named exports: import its default under ESM.
import cdkNag from 'cdk-nag';
import { parseContext } from './app-context.ts';
import { validateEnrollmentTokenApiProps } from './enrollment-token-props-validation.ts';
import { EnrollmentTokenStack } from './enrollment-token-stack.ts';

const { AwsSolutionsChecks } = cdkNag;

/** Every context problem at once: unknown keys, wrong types, invalid combinations. */
export class AppContextError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid CDK context (fix with -c key=value or in cdk.json):\n  - ${problems.join('\n  - ')}`);
    this.name = 'AppContextError';
  }
}

export interface BuiltApp {
  readonly app: App;
  readonly stack: EnrollmentTokenStack;
}

/**
 * `appProps.context` (tests) or the CLI's context (`cdk.json`, `-c`) -> the stack, with cdk-nag's
 * AwsSolutions checks on the whole app. Environment-agnostic: no account or region needed to synthesize.
 */
export function buildApp(appProps: AppProps = {}): BuiltApp {
  const app = new App(appProps);
  const { stackName, props, problems } = parseContext(app.node.getAllContext() as Record<string, unknown>);
  const allProblems = [...problems, ...validateEnrollmentTokenApiProps(props)];
  if (allProblems.length > 0) throw new AppContextError(allProblems);

  const stack = new EnrollmentTokenStack(app, stackName, { enrollment: props });
  // cdk-nag v3 is a policy-validation plugin (v2's Aspects + NagSuppressions are gone): any
  // unacknowledged finding fails synthesis and lands in cdk.out/policy-validation-report.json.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stack };
}
