const logger = require('../lib/logger');

function recordFailedLogin(username, ip) {
  logger.warn(`Failed login for user ${username} from ${ip}`);
}

module.exports = { recordFailedLogin };
