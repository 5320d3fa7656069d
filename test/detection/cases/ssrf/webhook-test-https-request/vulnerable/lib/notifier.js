const https = require('https');

const WEBHOOK_HOSTS = new Set(['hooks.slack.com', 'hooks.example.com']);

function sendTestEvent(callbackUrl, event) {
  const url = new URL(callbackUrl);
  const body = JSON.stringify(event);
  return new Promise((resolve, reject) => {
    const request = https.request(
      { hostname: url.hostname, port: 443, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json' } },
      (response) => resolve(response.statusCode),
    );
    request.on('error', reject);
    request.end(body);
  });
}

module.exports = { sendTestEvent, WEBHOOK_HOSTS };
