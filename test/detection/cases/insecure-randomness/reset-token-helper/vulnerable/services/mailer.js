const outbox = [];

async function sendResetMail(email, link) {
  outbox.push({ to: email, subject: 'Reset your password', body: link });
}

module.exports = { sendResetMail };
