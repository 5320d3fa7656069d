const pending = new Map();
exports.pendingMfa = (challenge) => pending.get(challenge);
exports.issueToken = (user) => `${user.id}.${Date.now()}`;
