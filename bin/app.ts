#!/usr/bin/env node
// CDK entry (cdk.json "app"): context -> stack, with cdk-nag. Context keys: docs/configuration.md, "Deployment context keys".
import { AppContextError, buildApp } from '../lib/app.ts';

try {
  buildApp();
} catch (error) {
  if (!(error instanceof AppContextError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}
