// The settings table is the one source: the function's config and the stack's props validation enforce
// each row's range, values and pattern identically, and defaults, context keys and the props interface
// follow it.
import { readFileSync } from 'node:fs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { PropKey, Setting } from '../../contract/settings.ts';
import { SETTINGS } from '../../contract/settings.ts';
import {
  CONTEXT_SETTINGS,
  ENV_SETTINGS,
  PROP_DEFAULTS,
  PROP_SETTINGS,
} from '../../contract/settings-derived.ts';
import { parseConfig } from '../../functions/generate-auth-token/config.ts';
import { ConfigError } from '../../functions/generate-auth-token/errors.ts';
import { CONTEXT_KEYS } from '../../lib/app-context.ts';
import { DEFAULTS } from '../../lib/enrollment-token-api.ts';
import type { EnrollmentTokenApiProps } from '../../lib/enrollment-token-props.ts';
import { validateEnrollmentTokenApiProps } from '../../lib/enrollment-token-props-validation.ts';

/** A valid function environment in which every setting is read (introspection on, so its rows count). */
const BASE_ENV = {
  OWNID_PRIVATE_KEY_SECRET_ID: 'ownid/key',
  SESSION_COGNITO_USER_POOL_ID: 'eu-west-1_AbC123',
  SESSION_COGNITO_CLIENT_IDS: 'client',
  SESSION_INTROSPECTION_URL: 'https://www.example.com/session',
  SESSION_INTROSPECTION_COOKIES: 'sid',
};
/** Valid props in which no cross-prop rule fires for a single changed prop. */
const BASE_PROPS: EnrollmentTokenApiProps = {
  cognitoUserPoolId: 'eu-west-1_AbC123',
  cognitoClientIds: ['client'],
  introspectionUrl: 'https://www.example.com/session',
  introspectionCookieNames: ['sid'],
  wafRateLimit: 100,
};

/** What a row needs beside it to be read at all (function) or to pass the cross-prop rules (stack). */
const COMPANION_ENV: Record<string, Record<string, string>> = {
  SESSION_JWT_JWKS_URL: { SESSION_JWT_ISSUER: 'https://id.example.com/', SESSION_JWT_AUDIENCE: 'app' },
};
const COMPANION_PROPS: Record<string, EnrollmentTokenApiProps> = {
  jwtJwksUrl: { jwtIssuer: 'https://id.example.com/', jwtAudience: ['app'] },
  tokenProfile: { tokenSiteUrl: 'https://www.example.com' },
};

const rows = Object.entries(SETTINGS) as [keyof typeof SETTINGS, Setting][];

/** Whether the function starts with `value` for `setting`'s variable; a refusal must name that variable. */
function functionAccepts(setting: Setting, value: string): boolean {
  const env = setting.env ?? '';
  try {
    parseConfig({ ...BASE_ENV, ...COMPANION_ENV[env], [env]: value });
    return true;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    expect(error.variables).toEqual([env]);
    return false;
  }
}

/** Whether the stack accepts `value` for the prop; a refusal must name the prop. */
function stackAccepts(prop: string, value: unknown): boolean {
  const props = { ...BASE_PROPS, ...COMPANION_PROPS[prop], [prop]: value };
  const problems = validateEnrollmentTokenApiProps(props);
  for (const problem of problems) expect(problem).toMatch(new RegExp(`^${prop}\\b`));
  return problems.length === 0;
}

const integerRows = rows.filter(([, setting]) => setting.kind === 'integer');

describe('integer settings', () => {
  it.each(integerRows)('%s: both sides accept exactly min..max', (id, setting) => {
    const { min = 0, max = 0 } = setting;
    for (const [value, inside] of [
      [min - 1, false],
      [min, true],
      [max, true],
      [max + 1, false],
    ] as const) {
      if (setting.env !== undefined) expect(functionAccepts(setting, String(value))).toBe(inside);
      if (setting.cdk === 'prop') expect(stackAccepts(id, value)).toBe(inside);
    }
    if (setting.env !== undefined) expect(functionAccepts(setting, `${min}.5`)).toBe(false);
    if (setting.cdk === 'prop') expect(stackAccepts(id, min + 0.5)).toBe(false);
  });

  it('the function refuses with the range the table gives', () => {
    expect(() => parseConfig({ ...BASE_ENV, TOKEN_TTL_SECONDS: '301' })).toThrow(
      `TOKEN_TTL_SECONDS must be an integer from ${SETTINGS.tokenTtlSeconds.min} to ${SETTINGS.tokenTtlSeconds.max}, got "301"`,
    );
  });
});

describe('enum, url and pattern settings', () => {
  it('the token profile: both sides accept the table values and nothing else', () => {
    for (const value of SETTINGS.tokenProfile.values) {
      const site = value === 'session-creation' ? { TOKEN_SITE_URL: 'https://www.example.com' } : {};
      expect(parseConfig({ ...BASE_ENV, ...site, TOKEN_PROFILE: value }).token.profile).toBe(value);
      expect(stackAccepts('tokenProfile', value)).toBe(true);
    }
    expect(functionAccepts(SETTINGS.tokenProfile, 'legacy')).toBe(false);
    expect(stackAccepts('tokenProfile', 'legacy')).toBe(false);
  });

  it('numeric enums take exactly their values', () => {
    for (const id of ['wafEvaluationWindowSeconds', 'logRetentionDays'] as const) {
      for (const value of SETTINGS[id].values) expect(stackAccepts(id, value)).toBe(true);
      expect(stackAccepts(id, 31)).toBe(false);
    }
  });

  it.each([
    ['https://app.example.com', true],
    ['http://localhost:3000', true],
    ['http://[::1]:3000', true],
    ['https://*.example.com', false],
    ['https://app.example.com/', false],
    ['HTTPS://APP.EXAMPLE.COM', false],
  ])('origin %s: accepted by both sides: %s', (origin, accepted) => {
    expect(functionAccepts(SETTINGS.allowedOrigins, origin)).toBe(accepted);
    expect(stackAccepts('allowedOrigins', [origin])).toBe(accepted);
  });

  it.each([
    ['__Host-session', true],
    ['connect.sid', true],
    ['bad name', false],
    ['a;b', false],
  ])('cookie name %s: accepted by both sides: %s', (name, accepted) => {
    expect(functionAccepts(SETTINGS.introspectionCookieNames, name)).toBe(accepted);
    expect(stackAccepts('introspectionCookieNames', [name])).toBe(accepted);
  });

  const urlRows = rows.filter(([, setting]) => setting.kind === 'url');
  it.each(urlRows)(
    '%s: https on both sides; http on loopback only where the row allows it',
    (id, setting) => {
      expect(setting.env === undefined || functionAccepts(setting, 'https://a.example.com/x')).toBe(true);
      if (setting.env !== undefined) {
        expect(functionAccepts(setting, 'http://a.example.com/x')).toBe(false);
        expect(functionAccepts(setting, 'http://127.0.0.1:3000/x')).toBe(setting.loopbackHttp === true);
      }
      if (setting.cdk === 'prop') {
        expect(stackAccepts(id, 'https://a.example.com/x')).toBe(true);
        expect(stackAccepts(id, 'http://127.0.0.1:3000/x')).toBe(false);
      }
    },
  );
});

describe('defaults and names', () => {
  it('the function applies the table defaults', () => {
    const config = parseConfig(BASE_ENV);
    expect(config.keyCacheTtlSeconds).toBe(SETTINGS.keyCacheTtlSeconds.default);
    expect(config.token.ttlSeconds).toBe(SETTINGS.tokenTtlSeconds.default);
    expect(config.token.profile).toBe(SETTINGS.tokenProfile.default);
    expect(config.token.issuer).toBe(SETTINGS.tokenIssuer.default);
    expect(config.introspection?.cacheSeconds).toBe(SETTINGS.introspectionCacheSeconds.default);
    expect(config.introspection?.timeoutMs).toBe(SETTINGS.introspectionTimeoutMs.default);
  });

  it("the construct's defaults are the table's", () => {
    const { timeoutSeconds: _notASetting, ...constructDefaults } = DEFAULTS;
    for (const [prop, value] of Object.entries(constructDefaults))
      expect(PROP_DEFAULTS[prop as keyof typeof PROP_DEFAULTS]).toBe(value);
  });

  it('the function reads every variable of the table, and the context keys are its CDK keys', () => {
    const configSource = readFileSync(
      new URL('../../functions/generate-auth-token/config.ts', import.meta.url),
      'utf8',
    );
    for (const env of Object.keys(ENV_SETTINGS)) expect(configSource).toContain(`'${env}'`);
    expect(Object.keys(CONTEXT_KEYS)).toEqual(Object.keys(CONTEXT_SETTINGS));
    expect(CONTEXT_KEYS.tokenTtlSeconds).toEqual({
      kind: 'integer',
      default: '`60`',
      doc: SETTINGS.tokenTtlSeconds.doc,
    });
  });

  it("the props interface has the table's props, and its @default and ranges say what the table says", () => {
    expectTypeOf<keyof EnrollmentTokenApiProps>().toEqualTypeOf<PropKey>();
    const source = readFileSync(new URL('../../lib/enrollment-token-props.ts', import.meta.url), 'utf8');
    const documented = [...source.matchAll(/\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*readonly (\w+)\?:/g)];
    expect(documented.map((match) => match[2]).sort()).toEqual(Object.keys(PROP_SETTINGS).sort());
    for (const [, jsdoc = '', prop = ''] of documented) {
      const setting = SETTINGS[prop as PropKey] as Setting;
      const atDefault = /@default (.*)/.exec(jsdoc)?.[1] ?? '';
      if (setting.default === undefined) expect(atDefault, prop).toMatch(/^- /);
      else expect(atDefault, prop).toContain(String(setting.default));
      const range = /\((\d+)\.\.(\d+)\)/.exec(jsdoc);
      if (range !== null)
        expect([Number(range[1]), Number(range[2])], prop).toEqual([setting.min, setting.max]);
    }
  });
});
