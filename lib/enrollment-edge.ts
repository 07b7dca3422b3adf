// In front of the API: an optional per-IP rate-limit web ACL and an optional custom domain.
import { Names } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as route53Targets from 'aws-cdk-lib/aws-route53-targets';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';
import { ERROR_BODIES } from '../contract/http.ts';

/** A WAF web ACL (id `WebAcl` in `scope`) that answers 429 above `limit` requests per IP per window. */
export function addRateLimitWebAcl(
  scope: Construct,
  stage: apigw.Stage,
  limit: number,
  evaluationWindowSec: number,
): wafv2.CfnWebACL {
  const name = Names.uniqueResourceName(scope, { maxLength: 100, separator: '-' });
  const webAcl = new wafv2.CfnWebACL(scope, 'WebAcl', {
    name,
    description: 'Per-IP rate limit in front of the OwnID enrollment token endpoint',
    scope: 'REGIONAL',
    defaultAction: { allow: {} },
    visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: name, sampledRequestsEnabled: true },
    customResponseBodies: {
      TooManyRequests: { contentType: 'APPLICATION_JSON', content: ERROR_BODIES[429] },
    },
    rules: [
      {
        name: 'RateLimitPerIp',
        priority: 0,
        action: {
          block: { customResponse: { responseCode: 429, customResponseBodyKey: 'TooManyRequests' } },
        },
        statement: { rateBasedStatement: { limit, aggregateKeyType: 'IP', evaluationWindowSec } },
        visibilityConfig: {
          cloudWatchMetricsEnabled: true,
          metricName: 'RateLimitPerIp',
          sampledRequestsEnabled: true,
        },
      },
    ],
  });
  new wafv2.CfnWebACLAssociation(scope, 'WebAclAssociation', {
    resourceArn: stage.stageArn,
    webAclArn: webAcl.attrArn,
  });
  return webAcl;
}

export interface CustomDomainProps {
  readonly domainName: string;
  readonly certificateArn: string;
  /** With `hostedZoneName`: an alias A record is created in this zone. */
  readonly hostedZoneId?: string;
  readonly hostedZoneName?: string;
}

/**
 * The custom domain mapped to the API (id `CustomDomain` in `scope`), and its alias record when a hosted
 * zone is given. Returns the domain and whether a DNS record is left for the user to create.
 */
export function addCustomDomain(
  scope: Construct,
  api: apigw.RestApi,
  props: CustomDomainProps,
): { readonly domain: apigw.DomainName; readonly needsDnsRecord: boolean } {
  const domain = new apigw.DomainName(scope, 'CustomDomain', {
    domainName: props.domainName,
    certificate: acm.Certificate.fromCertificateArn(scope, 'Certificate', props.certificateArn),
    endpointType: apigw.EndpointType.REGIONAL,
    securityPolicy: apigw.SecurityPolicy.TLS_1_2,
    mapping: api,
  });
  if (props.hostedZoneId === undefined || props.hostedZoneName === undefined) {
    return { domain, needsDnsRecord: true };
  }
  const zone = route53.HostedZone.fromHostedZoneAttributes(scope, 'HostedZone', {
    hostedZoneId: props.hostedZoneId,
    zoneName: props.hostedZoneName,
  });
  new route53.ARecord(scope, 'CustomDomainAlias', {
    zone,
    recordName: props.domainName,
    target: route53.RecordTarget.fromAlias(new route53Targets.ApiGatewayDomain(domain)),
  });
  return { domain, needsDnsRecord: false };
}
