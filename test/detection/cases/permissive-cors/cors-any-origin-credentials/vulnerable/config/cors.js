module.exports = {
  credentials: true,
  origin(origin, callback) {
    // Front ends are deployed on many preview domains.
    callback(null, true);
  },
};
