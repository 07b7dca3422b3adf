// The root npm package as a cloud team gets it: `npm pack`, installed offline into a scratch CDK app
// whose own aws-cdk-lib, constructs and cdk-nag are the repo's (linked, as `file:` dependencies), the
// construct instantiated inside the app's own stack, synthesized with plain `node` (no tsx, no esbuild),
// and the function's asset compared with the prebuilt bundle.
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildPackageEntry,
  lambdaBundlePath,
  projectRoot,
  tracedLambdaBundlePath,
} from '../../scripts/esbuild-config.ts';
import {
  execFileAsync,
  installOffline,
  type PackResult,
  packedContents,
  packTarball,
  scratchApp,
} from '../support/packed-install.ts';

const { name: PACKAGE } = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as {
  name: string;
};
const linked = (name: string) => `file:${join(projectRoot, 'node_modules', name)}`;

// The team's app: its own stack with its own resources, the construct added to it, cdk-nag on the app.
const CDK_APP = `
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import cdkNag from 'cdk-nag';
import { EnrollmentTokenApi } from '${PACKAGE}';

class ShopStack extends Stack {
  constructor(scope, id, props) {
    super(scope, id, props);
    new sqs.Queue(this, 'Orders', { enforceSSL: true, deadLetterQueue: { maxReceiveCount: 3, queue: new sqs.Queue(this, 'OrdersDlq', { enforceSSL: true }) } });
    this.passkeys = new EnrollmentTokenApi(this, 'Passkeys', {
      allowedOrigins: ['https://shop.example.com'],
      cognitoUserPoolId: 'eu-west-1_AbC123',
      cognitoClientIds: ['shopclient'],
    });
  }
}

const app = new App({ outdir: 'cdk.out' });
const stack = new ShopStack(app, 'Shop');
// The same construct with X-Ray tracing: the traced prebuilt bundle.
new EnrollmentTokenApi(new Stack(app, 'TracedShop'), 'Passkeys', {
  allowedOrigins: ['https://shop.example.com'],
  cognitoUserPoolId: 'eu-west-1_AbC123',
  cognitoClientIds: ['shopclient'],
  tracing: true,
});
const findings = new cdkNag.AwsSolutionsChecks(undefined, { verbose: false })
  .validateScope(stack)
  .violations.flatMap((v) => v.violatingResources.map((r) => v.ruleName + ' ' + (r.constructPath ?? '')));
// The check itself sees findings: a queue without TLS enforcement in a stack of its own (not synthesized).
const control = new Stack(new App(), 'Control');
new sqs.Queue(control, 'Plain');
const controlFindings = new cdkNag.AwsSolutionsChecks(undefined, { verbose: false }).validateScope(control).violations.length;
Validations.of(app).addPlugins(new cdkNag.AwsSolutionsChecks(app, { verbose: true }));
app.synth();
console.log(JSON.stringify({ findings, controlFindings, functionPath: stack.passkeys.function.node.path }));
`;

// Type-checked only: a wrong prop is an error, so the declarations reach the consumer (not \`any\`).
const CDK_APP_TYPES = `
import { App, Stack } from 'aws-cdk-lib';
import { EnrollmentTokenApi, type EnrollmentTokenApiProps, EnrollmentTokenStack } from '${PACKAGE}';

const props: EnrollmentTokenApiProps = { allowedOrigins: ['https://shop.example.com'] };
const app = new App();
const api = new EnrollmentTokenApi(new Stack(app, 'Shop'), 'Passkeys', props);
export const url: string = api.endpointUrl;
new EnrollmentTokenStack(app, 'Passkeys', { enrollment: props });
// @ts-expect-error allowedOrigins is a list
new EnrollmentTokenApi(new Stack(app, 'Wrong'), 'Passkeys', { allowedOrigins: 'https://shop.example.com' });
`;

interface LambdaResource {
  readonly Type: string;
  readonly Properties: { readonly Handler?: string; readonly Code?: { readonly S3Key?: string } };
}

let appDir: string;
let contents: PackResult;

beforeAll(async () => {
  // The construct's JS and declarations (`npm run build` made the Lambda bundle already).
  await buildPackageEntry();
  contents = await packedContents(projectRoot);
  appDir = scratchApp('ownid-construct-package-', {
    'aws-cdk-lib': linked('aws-cdk-lib'),
    constructs: linked('constructs'),
    'cdk-nag': linked('cdk-nag'),
  });
  await installOffline(appDir, await packTarball(projectRoot, appDir));
  writeFileSync(join(appDir, 'app.mjs'), CDK_APP);
  writeFileSync(join(appDir, 'types.ts'), CDK_APP_TYPES);
}, 300_000);

afterAll(() => {
  if (appDir !== undefined) rmSync(appDir, { recursive: true, force: true });
});

describe(`npm pack of ${PACKAGE}`, () => {
  it('holds the compiled construct, its declarations, the two prebuilt Lambda bundles and the docs only', () => {
    const paths = contents.files.map((file) => file.path).sort();
    const declarations = paths.filter((path) => path.startsWith('dist/types/'));
    expect(paths.filter((path) => !path.startsWith('dist/types/'))).toEqual([
      'CHANGELOG.md',
      'README.md',
      'dist/functions/generate-auth-token-traced/index.mjs',
      'dist/functions/generate-auth-token/index.mjs',
      'dist/lib/index.js',
      'package.json',
    ]);
    expect(declarations).toContain('dist/types/lib/index.d.ts');
    expect(declarations).toContain('dist/types/contract/settings.d.ts');
    for (const path of declarations) expect(path).toMatch(/^dist\/types\/(lib|contract)\/[a-z-]+\.d\.ts$/);
  });

  it('has no dependencies to install: the Lambda bundle inlines them; aws-cdk-lib and constructs are the app’s', () => {
    const manifest = JSON.parse(readFileSync(join(appDir, 'node_modules', PACKAGE, 'package.json'), 'utf8'));
    expect(manifest.dependencies).toBeUndefined();
    expect(Object.keys(manifest.peerDependencies).sort()).toEqual(['aws-cdk-lib', 'constructs']);
  });
});

// Synthesis and tsc each take 30 s of wall time on two idle cores (aws-cdk-lib's files), minutes under load.
describe('a CDK app that installs the package', () => {
  it('synthesizes with plain node: cdk-nag clean, the function asset is the prebuilt bundle', async () => {
    // No tsx or esbuild on the way: the app is plain JS and the package is compiled.
    const { stdout } = await execFileAsync(process.execPath, ['app.mjs'], { cwd: appDir });
    const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');
    expect(result.findings).toEqual([]);
    expect(result.controlFindings).toBeGreaterThan(0);
    expect(result.functionPath).toBe('Shop/Passkeys/Function');

    const deployedBundle = (stackName: string) => {
      const template = JSON.parse(readFileSync(join(appDir, `cdk.out/${stackName}.template.json`), 'utf8'));
      const functions = Object.values(template.Resources as Record<string, LambdaResource>)
        .filter((resource) => resource.Type === 'AWS::Lambda::Function')
        .filter((resource) => resource.Properties.Handler === 'index.handler');
      expect(functions).toHaveLength(1);
      const assetHash = String(functions[0]?.Properties.Code?.S3Key).replace(/\.zip$/, '');
      const assetDir = join(appDir, 'cdk.out', `asset.${assetHash}`);
      expect(readdirSync(assetDir)).toEqual(['index.mjs']);
      return readFileSync(join(assetDir, 'index.mjs'));
    };
    expect(deployedBundle('Shop')).toEqual(readFileSync(lambdaBundlePath));
    expect(deployedBundle('TracedShop')).toEqual(readFileSync(tracedLambdaBundlePath));
    expect(existsSync(join(appDir, 'node_modules/esbuild'))).toBe(false);
  }, 300_000);

  it('type-checks under strict TypeScript', async () => {
    writeFileSync(
      join(appDir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          types: [],
          noEmit: true,
          // aws-cdk-lib's own declarations take most of a minute to check; the types still resolve.
          skipLibCheck: true,
        },
        files: ['types.ts'],
      }),
    );
    // Rejects with tsc's output on any error, including an unused @ts-expect-error (untyped import).
    await execFileAsync(join(projectRoot, 'node_modules/.bin/tsc'), ['-p', appDir], { cwd: appDir });
  }, 300_000);
});
