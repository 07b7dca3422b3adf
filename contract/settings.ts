// Every setting, once: the Lambda environment variable the function reads, the CDK context key (the
// EnrollmentTokenApi prop of the same name), the kind, the default, what is allowed and a one-line doc.
// functions/generate-auth-token/config.ts, lib/ (props validation, context keys, function environment) and
// the tables in docs/configuration.md (`npm run docs:settings`) are derived from it. The rows are in
// settings-stack.ts and settings-function.ts; nothing here imports from outside contract/.

import { FUNCTION_SETTINGS } from './settings-function.ts';
import type { Kind, Setting } from './settings-kinds.ts';
import { API_SETTINGS, DEPLOYMENT_SETTINGS } from './settings-stack.ts';

export * from './settings-kinds.ts';

/** The table, in the order of the docs tables: the API, what the function reads, then the deployment. */
export const SETTINGS = {
  ...API_SETTINGS,
  ...FUNCTION_SETTINGS,
  ...DEPLOYMENT_SETTINGS,
} as const satisfies Record<string, Setting>;

type Table = typeof SETTINGS;
export type SettingId = keyof Table;
/** Every environment variable the function reads. */
export type EnvName = {
  [I in SettingId]: Table[I] extends { env: infer E extends string } ? E : never;
}[SettingId];
/** The environment variables of one kind. */
export type EnvNameOf<K extends Kind> = {
  [I in SettingId]: Table[I] extends { env: infer E extends string; kind: K } ? E : never;
}[SettingId];
/** Every CDK context key. */
export type ContextKey = { [I in SettingId]: Table[I] extends { cdk: string } ? I : never }[SettingId];
/** Every EnrollmentTokenApi prop. */
export type PropKey = { [I in SettingId]: Table[I] extends { cdk: 'prop' } ? I : never }[SettingId];
