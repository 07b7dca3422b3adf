// The root npm package's entry: the construct for a stack of an existing CDK app, or the whole stack.
export {
  EnrollmentTokenApi,
  type EnrollmentTokenApiProps,
  EnrollmentTokenApiPropsError,
  type TokenProfile,
} from './enrollment-token-api.ts';
export { EnrollmentTokenStack, type EnrollmentTokenStackProps } from './enrollment-token-stack.ts';
