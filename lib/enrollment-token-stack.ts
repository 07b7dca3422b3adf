import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { EnrollmentTokenApi, type EnrollmentTokenApiProps } from './enrollment-token-api.ts';
import { secretRegion } from './private-key-secret.ts';

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
      description:
        'OwnID passkey enrollment: POST /generate-auth-token and /enrollment-outcome (API Gateway + Lambda + DynamoDB)',
      ...props,
    });
    const endpoint = new EnrollmentTokenApi(this, 'EnrollmentTokenApi', props.enrollment);
    this.enrollmentTokenApi = endpoint;

    // Outputs keep their plain names as logical ids (the keys describe-stacks shows and the docs use).
    const output = (key: string, description: string, value: string) =>
      new CfnOutput(this, key, { description, value }).overrideLogicalId(key);
    output(
      'EndpointUrl',
      'POST here from the frontend (the web snippet endpoint option)',
      endpoint.endpointUrl,
    );
    output(
      'OutcomeEndpointUrl',
      'Where the snippet reports outcomes (by default it derives this from its endpoint: the last segment replaced)',
      endpoint.outcomeUrl,
    );
    if (endpoint.customDomain !== undefined && endpoint.customDomainUrl !== undefined) {
      if (endpoint.customDomainNeedsDnsRecord) {
        output(
          'CustomDomainTarget',
          `Create a CNAME (or alias A record) from ${props.enrollment?.domainName} to this name`,
          endpoint.customDomain.domainNameAliasDomainName,
        );
      }
      output(
        'CustomDomainEndpointUrl',
        'The endpoint on the custom domain (use this one for cookie sessions)',
        endpoint.customDomainUrl,
      );
    }
    if (endpoint.createdAlarmTopic !== undefined) {
      output('AlarmTopicArn', 'SNS topic for alarms', endpoint.createdAlarmTopic.topicArn);
    }
    output(
      'DashboardUrl',
      'CloudWatch dashboard: tokens issued, refusals by reason, latency, throttles',
      `https://${this.region}.console.aws.amazon.com/cloudwatch/home?region=${this.region}#dashboards:name=${endpoint.dashboard.dashboardName}`,
    );
    output(
      'PrivateKeySecretId',
      'Secrets Manager secret holding the OwnID private key (PEM)',
      endpoint.privateKeySecretId,
    );
    output(
      'PutPrivateKeyCommand',
      'Store the OwnID private key (PEM file from the OwnID console) in the secret',
      `aws secretsmanager put-secret-value --region ${secretRegion(endpoint.privateKeySecretId)} --secret-id ${endpoint.privateKeySecretId} --secret-string file://ownid-private-key.pem`,
    );
    output(
      'StateTableName',
      'DynamoDB table of the prompt policy state (npm run policy:show / policy:reset find it here)',
      endpoint.stateTable.tableName,
    );
    const notes = endpoint.configurationNotes;
    output(
      'ConfigurationNote',
      'What is left to configure',
      notes.length > 0 ? notes.join(' | ') : 'Fully configured.',
    );
  }
}
