// Emits web-snippet/dist/ownid-enroll.d.mts, so `import ... from './ownid-enroll.mjs'` is typed.
export * from './index.js';
