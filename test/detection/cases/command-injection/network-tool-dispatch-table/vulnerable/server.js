const express = require('express');
const tools = { ...require('./tools/network'), ...require('./tools/dns') };

const app = express();

// GET /diag/ping?target=example.com — the tool is named by the path.
app.get('/diag/:tool', (req, res) => {
  const tool = tools[req.params.tool];
  if (typeof tool !== 'function') return res.status(404).json({ error: 'no such tool' });
  tool(req.query.target, (err, output) => {
    if (err) return res.status(500).json({ error: err.message });
    res.type('text/plain').send(output);
  });
});

app.listen(process.env.PORT || 3000);
