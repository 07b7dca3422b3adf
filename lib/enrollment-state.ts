// The prompt policy's state: one on-demand DynamoDB table holding, per user, counters and timestamps
// under a keyed hash of the email (never the email), and short-lived markers of reported tokens.
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { STATE_TABLE_PARTITION_KEY, STATE_TABLE_TTL_ATTRIBUTE } from '../contract/state-table.ts';

/** Exactly what the function calls: the token and outcome writes, and a read that warms the connection. */
export const STATE_TABLE_FUNCTION_ACTIONS = [
  'dynamodb:UpdateItem',
  'dynamodb:PutItem',
  'dynamodb:GetItem',
] as const;

/**
 * The table (id as given, e.g. `StateTable`). No fixed name, so two stacks in one account never collide;
 * the function gets the name through `EnrollmentFunction.bindStateTable()`, operators through the
 * `StateTableName` output.
 */
export class EnrollmentStateTable extends dynamodb.Table {
  constructor(scope: Construct, id: string) {
    super(scope, id, {
      partitionKey: { name: STATE_TABLE_PARTITION_KEY, type: dynamodb.AttributeType.STRING },
      // Traffic follows logins: spiky and small. On demand has nothing to size and no autoscaling to tune.
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      // Idle users and old token markers disappear by themselves, at no cost.
      timeToLiveAttribute: STATE_TABLE_TTL_ATTRIBUTE,
      // A bad deploy or a mistaken bulk reset can be undone to the second for 35 days.
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // AWS owned key: free, and no KMS call that could slow the token path's short store deadline. The
      // items hold keyed hashes, counters and timestamps only; AWS_MANAGED is an in-place change if an
      // audit needs the key's use in CloudTrail.
      encryption: dynamodb.TableEncryption.DEFAULT,
      // Deleting the stack must not forget who declined (they would be asked again). The table is not
      // precious, but CloudFormation cannot snapshot DynamoDB, so it is kept; delete it by hand.
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
