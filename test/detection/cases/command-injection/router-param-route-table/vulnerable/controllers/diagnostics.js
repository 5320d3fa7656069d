const { exec } = require('child_process');

module.exports = {
  ping: (req, res) => {
    exec('ping -c 3 ' + req.body.host, (err, stdout) => {
      if (err) return res.status(502).send('unreachable');
      res.type('text/plain').send(stdout);
    });
  },
};
