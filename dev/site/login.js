// The demo login page: an ordinary password login, then the guide's advice: mark the enrollment for
// the next page load and go there.
(() => {
  const form = document.getElementById('login-form');
  const email = document.getElementById('email');
  const password = document.getElementById('password');
  const error = document.getElementById('login-error');
  const button = document.getElementById('login-button');

  for (const user of document.querySelectorAll('button.user')) {
    user.addEventListener('click', () => {
      email.value = user.dataset.email ?? '';
      password.value = user.dataset.password ?? '';
      button.focus();
    });
  }

  const showError = (message) => {
    error.textContent = message;
    error.hidden = false;
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.hidden = true;
    button.disabled = true;
    try {
      const response = await fetch('/demo/login', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: email.value, password: password.value }),
      });
      const body = await response.json().catch(() => ({}));
      if (!response.ok) {
        showError(body.message || `Sign-in failed (HTTP ${response.status})`);
        return;
      }
      // Step 3 of the guide: offer the passkey on the next page load after login.
      window.OwnIDEnroll?.enrollOnNextPageLoad();
      location.assign(body.next || '/welcome');
    } catch {
      showError('The server did not answer. Is npm start still running?');
    } finally {
      button.disabled = false;
    }
  });
})();
