// Saved CloudWatch Logs Insights queries the runbook uses by name. Field names are those of the
// function's request line (functions/generate-auth-token/request-log.ts), the access log format
// (lib/enrollment-api-methods.ts) and Lambda's JSON platform.report record.
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

/** Replaced by the operator in the console before running the one-user query. */
export const EMAIL_HASH_PLACEHOLDER = 'PASTE_EMAIL_HASH_HERE';

/** Requests slower than this are listed by the slow-requests query. */
export const SLOW_REQUEST_MS = 1000;

export interface EnrollmentQueriesProps {
  /** Folder the queries appear under in the console, e.g. `OwnIdEnrollment/<stack>`. */
  readonly folder: string;
  readonly functionLogGroup: logs.ILogGroup;
  readonly accessLogGroup: logs.ILogGroup;
}

interface SavedQuery {
  /** Its name in the console, under the folder. */
  readonly name: string;
  readonly query: logs.QueryStringProps;
  /** Also searches the API access log (API Gateway's own 5xx never reach the function). */
  readonly includeAccessLog?: boolean;
}

/** Construct id -> saved query. */
export const ENROLLMENT_QUERIES: Readonly<Record<string, SavedQuery>> = {
  RefusalsByReasonQuery: {
    name: 'Refusals by reason',
    query: {
      filterStatements: ['status >= 400 and status < 500'],
      statsStatements: ['count(*) as refusals by outcome'],
      sort: 'refusals desc',
    },
  },
  UserEventsQuery: {
    name: 'One user by email hash',
    query: {
      filterStatements: [`emailHash = "${EMAIL_HASH_PLACEHOLDER}"`],
      fields: ['@timestamp', 'outcome', 'status', 'source', 'durationMs', 'requestId'],
      sort: '@timestamp desc',
    },
  },
  SlowRequestsQuery: {
    name: 'Slow requests with their source',
    query: {
      filterStatements: [`durationMs > ${SLOW_REQUEST_MS}`],
      fields: ['@timestamp', 'durationMs', 'source', 'outcome', 'coldStart', 'requestId'],
      sort: 'durationMs desc',
      limit: 100,
    },
  },
  ColdStartsQuery: {
    name: 'Cold starts with init duration',
    query: {
      filterStatements: ['type = "platform.report" and ispresent(record.metrics.initDurationMs)'],
      fields: [
        '@timestamp',
        'record.requestId',
        'record.metrics.initDurationMs',
        'record.metrics.durationMs',
        'record.metrics.billedDurationMs',
        'record.metrics.maxMemoryUsedMB',
      ],
      sort: '@timestamp desc',
    },
  },
  ServerErrorsQuery: {
    name: '5xx with detail',
    includeAccessLog: true,
    query: {
      filterStatements: ['status >= 500'],
      fields: [
        '@timestamp',
        '@log',
        'status',
        'outcome',
        'detail',
        'errorType',
        'integrationStatus',
        'requestId',
      ],
      sort: '@timestamp desc',
    },
  },
};

/** One `AWS::Logs::QueryDefinition` per saved query, named `<folder>/<name>`. */
export function addEnrollmentQueries(
  scope: Construct,
  props: EnrollmentQueriesProps,
): logs.QueryDefinition[] {
  return Object.entries(ENROLLMENT_QUERIES).map(
    ([id, saved]) =>
      new logs.QueryDefinition(scope, id, {
        queryDefinitionName: `${props.folder}/${saved.name}`,
        queryString: new logs.QueryString(saved.query),
        logGroups: saved.includeAccessLog
          ? [props.functionLogGroup, props.accessLogGroup]
          : [props.functionLogGroup],
      }),
  );
}
