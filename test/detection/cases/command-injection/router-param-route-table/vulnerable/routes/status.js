module.exports = (router) => {
  router.route('/status').get((req, res) => res.json({ ok: true }));
};
