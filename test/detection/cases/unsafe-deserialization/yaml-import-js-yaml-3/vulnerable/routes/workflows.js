const express = require('express');
const importer = require('../services/importer');

const router = express.Router();

router.post('/import', (req, res) => {
  try {
    const workflow = importer.parseWorkflow(req.body);
    res.status(201).json({ name: workflow.name, steps: workflow.steps.length });
  } catch (err) {
    res.status(400).json({ error: 'invalid workflow' });
  }
});

module.exports = router;
