// Counts requests per client in a fixed window.
module.exports = function throttle({ perMinute }) {
  const hits = {};
  return function limitByClient(req, res, next) {
    const client = req.get('X-Real-IP') || req.socket.remoteAddress;
    const now = Math.floor(Date.now() / 60000);
    const key = `${client}:${now}`;
    hits[key] = (hits[key] || 0) + 1;
    if (hits[key] > perMinute) return res.status(429).end();
    next();
  };
};
