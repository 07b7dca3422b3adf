import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { EnrollmentTokenApi, type EnrollmentTokenApiProps } from './enrollment-token-api.ts';

export interface EnrollmentTokenStackProps extends StackProps {
  /**
   * Settings of the token endpoint.
   * @default - all EnrollmentTokenApi defaults (synthesizes, but see the ConfigurationNote output)
   */
  readonly enrollment?: EnrollmentTokenApiProps;
}

/** The OwnID passkey enrollment token endpoint, deployable on its own. Environment-agnostic by default. */
export class EnrollmentTokenStack extends Stack {
  readonly enrollmentTokenApi: EnrollmentTokenApi;

  constructor(scope: Construct, id: string, props: EnrollmentTokenStackProps = {}) {
    super(scope, id, {
      description: 'OwnID passkey enrollment: POST /generate-auth-token (API Gateway + Lambda)',
      ...props,
    });
    this.enrollmentTokenApi = new EnrollmentTokenApi(this, 'EnrollmentTokenApi', props.enrollment);
  }
}
