const router = require('express').Router();
const { signedIn, staffOnly } = require('../middleware/access');
const Member = require('../models/member');

router.get('/me', signedIn, async (req, res) => {
  res.json(await Member.findByPk(req.user.id, { attributes: ['displayName', 'email', 'phone'] }));
});

router.get('/', signedIn, async (req, res) => {
  const all = await Member.findAll({ attributes: ['id', 'displayName', 'email', 'phone'], order: [['displayName', 'ASC']] });
  res.json(all);
});

router.delete('/:id', signedIn, staffOnly, async (req, res) => {
  await Member.destroy({ where: { id: req.params.id } });
  res.status(204).end();
});

module.exports = router;
