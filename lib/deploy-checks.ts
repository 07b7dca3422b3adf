// Checks that stop a deploy before anything is created: ARNs in another region than the stack (as
// CloudFormation Rules when the stack is environment-agnostic, at synth when the region is known),
// and a synth warning for a reserved concurrency a new account cannot give.
import { Annotations, Arn, ArnFormat, Aws, CfnRule, Fn, Stack, Token } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { EnrollmentTokenApiProps } from './enrollment-token-props.ts';

interface RegionBoundArn {
  /** The prop name, for the message. */
  readonly prop: string;
  readonly arn: string;
  /** Where it must be: a region name, or undefined for the stack's region. */
  readonly requiredRegion?: string;
  /** What lives in the required region, for the synth-time message. */
  readonly subject: string;
  /** Why they must match. */
  readonly why: string;
}

/**
 * A certificate for a regional API must be in the API's region; a secret's KMS key must be in the
 * secret's region. A known mismatch is a synth error; against an unknown stack region, a Rule.
 */
export function checkArnRegions(scope: Construct, props: EnrollmentTokenApiProps): void {
  const bound: RegionBoundArn[] = [];
  if (props.certificateArn !== undefined) {
    bound.push({
      prop: 'certificateArn',
      arn: props.certificateArn,
      subject: 'the stack',
      why: "an ACM certificate for a regional API must be in the API's region.",
    });
  }
  if (props.privateKeySecretKmsKeyArn !== undefined) {
    bound.push({
      prop: 'privateKeySecretKmsKeyArn',
      arn: props.privateKeySecretKmsKeyArn,
      requiredRegion: arnRegion(props.privateKeySecret),
      subject: 'the private key secret',
      why: "a secret's KMS key must be in the secret's region.",
    });
  }
  if (props.introspectionSecretKmsKeyArn !== undefined) {
    bound.push({
      prop: 'introspectionSecretKmsKeyArn',
      arn: props.introspectionSecretKmsKeyArn,
      requiredRegion: arnRegion(props.introspectionSecret),
      subject: 'the introspection secret',
      why: "a secret's KMS key must be in the secret's region.",
    });
  }
  const stackRegion = Stack.of(scope).region;
  for (const { prop, arn, requiredRegion, subject, why } of bound) {
    const region = arnRegion(arn);
    if (region === undefined) continue;
    const required = requiredRegion ?? (Token.isUnresolved(stackRegion) ? undefined : stackRegion);
    if (required === undefined) {
      new CfnRule(scope, `${prop[0]?.toUpperCase()}${prop.slice(1)}InStackRegion`, {
        assertions: [
          {
            assert: Fn.conditionEquals(Aws.REGION, region),
            assertDescription: `${prop} is in ${region}, but this stack is being deployed to another region: ${why} Deploy the stack to ${region} or use an ARN from the stack's region.`,
          },
        ],
      });
    } else if (required !== region) {
      Annotations.of(scope).addError(`${prop} is in ${region}, but ${subject} is in ${required}: ${why}`);
    }
  }
}

/** The region of a literal ARN; undefined for a name, a token or no value. */
function arnRegion(value: string | undefined): string | undefined {
  if (value === undefined || Token.isUnresolved(value) || !value.startsWith('arn:')) return undefined;
  return Arn.split(value, ArnFormat.SLASH_RESOURCE_NAME).region || undefined;
}
