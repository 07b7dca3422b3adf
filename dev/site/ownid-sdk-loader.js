// Loads the real OwnID web SDK (OWNID_APP_ID is set). Assumption, to check against OwnID's current
// docs: the SDK script is per application (data-sdk-src) and queues `ownid(...)` calls made before it
// has loaded; once loaded it provides `ownid.enrollCredential(loginId, token)` as in the guide.
(() => {
  const self = document.currentScript;
  const appId = self?.dataset.appId;
  const src = self?.dataset.sdkSrc;
  if (!appId || !src) return;
  if (typeof window.ownid !== 'function' && typeof window.ownid !== 'object') {
    const queue = [];
    const stub = (...args) => {
      queue.push(args);
      return Promise.resolve({ error: null, data: null });
    };
    stub.q = queue;
    window.ownid = stub;
  }
  const script = document.createElement('script');
  script.src = src;
  script.async = true;
  document.head.append(script);
  window.ownid('init', { appId });
})();
