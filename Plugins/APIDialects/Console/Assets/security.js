// The Security page: the signed-in administrator's own second factor.
// Turning it on takes two steps (a new secret shown as a QR code and as
// text, then the first code from the app); the recovery codes that follow
// are shown once. Turning it off asks for the password or a current code.
import { api, setCSRF } from './api.js';
import { $, el, toast, confirmAction } from './ui.js';

let guarded = (promise) => promise;

export function initSecurity(options) {
  guarded = options.guarded;
  $('security-start').addEventListener('click', () => startEnrolment().catch((e) => toast(e.message)));
  $('security-cancel').addEventListener('click', () => { hideEnrolment(); loadSecurity().catch((e) => toast(e.message)); });
  $('security-confirm-form').addEventListener('submit', onConfirm);
  $('security-off').addEventListener('click', () => turnOff().catch((e) => toast(e.message)));
  $('security-codes-done').addEventListener('click', () => {
    $('security-code-list').replaceChildren();
    $('security-codes').hidden = true;
    loadSecurity().catch((e) => toast(e.message));
  });
}

export async function loadSecurity() {
  const state = await guarded(api.security());
  showState(state.mfa);
}

function showState(on) {
  $('security-mfa').textContent = on ? 'on' : 'off';
  $('security-hint').textContent = on
    ? 'Signing in to the console (and every dialect with a second step) asks for a code from your app.'
    : 'Signing in asks for your password only.';
  const busy = !$('security-enrol').hidden || !$('security-codes').hidden;
  $('security-start').hidden = on || busy;
  $('security-off').hidden = !on || busy;
}

function hideEnrolment() {
  $('security-enrol').hidden = true;
  $('security-qr').removeAttribute('src');
  $('security-qr').removeAttribute('width');
  $('security-secret').textContent = '';
  $('security-code').value = '';
  $('security-password').value = '';
  $('security-error').hidden = true;
}

async function startEnrolment() {
  const enrolment = await guarded(api.startTOTP());
  const qr = $('security-qr');
  // Shown at half its size: the PNG has 8 pixels a module, so 4 on screen,
  // still whole pixels (sharp edges for the phone's camera).
  qr.src = enrolment.qrCode; // a data: URL of a PNG (CSP img-src data:)
  await qr.decode();
  qr.width = Math.round(qr.naturalWidth / 2);
  $('security-secret').textContent = enrolment.secret;
  $('security-enrol').hidden = false;
  showState(false);
  $('security-code').focus();
}

async function onConfirm(event) {
  event.preventDefault();
  const error = $('security-error');
  error.hidden = true;
  $('security-confirm').disabled = true;
  try {
    const answer = await guarded(api.confirmTOTP($('security-code').value.trim(), $('security-password').value));
    setCSRF(answer.csrfToken); // the session was renewed with the second factor
    hideEnrolment();
    $('security-code-list').replaceChildren(...answer.recoveryCodes.map((code) => el('li', {}, el('code', { text: code }))));
    $('security-codes').hidden = false;
    showState(true);
    toast('MFA is on.');
  } catch (e) {
    error.textContent = e.message;
    error.hidden = false;
  } finally {
    $('security-confirm').disabled = false;
  }
}

async function turnOff() {
  const password = el('input', { id: 'security-off-password', type: 'password', autocomplete: 'current-password' });
  const code = el('input', { id: 'security-off-code', inputmode: 'numeric', autocomplete: 'one-time-code' });
  const extra = el('div', {},
    el('label', {}, 'Your password', password),
    el('label', {}, 'or a code from your app (or a recovery code)', code));
  const done = await confirmAction({
    title: 'Turn off MFA', confirmLabel: 'Turn off MFA', extra,
    text: 'Signing in will ask for your password only. Your recovery codes stop working.',
    action: async () => {
      const given = code.value.trim();
      if (!password.value === !given) throw new Error('Enter your password or a code (one of the two).');
      await guarded(api.turnOffTOTP(given ? { code: given } : { password: password.value }));
    },
  });
  if (done) { toast('MFA is off.'); await loadSecurity(); }
}
