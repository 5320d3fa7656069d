const express = require('express');
const { fetchPreview, fetchAvatar } = require('../services/preview-service');

const router = express.Router();

router.post('/', async (req, res) => {
  const preview = await fetchPreview(req.body.url);
  res.json(preview);
});

router.get('/avatar/:user', async (req, res) => {
  const avatar = await fetchAvatar(req.params.user);
  res.type('png').send(avatar);
});

module.exports = router;
