const { exec } = require('child_process');
const { promisify } = require('util');

const run = promisify(exec);
const SERVICES = ['web', 'worker', 'scheduler'];

async function deploy(service, tag) {
  if (!SERVICES.includes(service)) throw new Error(`unknown service ${service}`);
  const { stdout } = await run(`kubectl set image deployment/${service} ${service}=registry.local/${service}:${tag}`);
  return stdout;
}

async function status(service) {
  const name = SERVICES.includes(service) ? service : 'web';
  const { stdout } = await run(`kubectl rollout status deployment/${name} --timeout=5s`);
  return stdout;
}

module.exports = { deploy, status };
