const { exec } = require('child_process');
const container = require('../container');

function BackupController(root) {
  this.root = root;
}

BackupController.prototype.create = function (req, res) {
  const target = req.body.directory;
  exec(`tar czf /var/backups/site.tgz -C ${this.root} ${target}`, (err) => {
    if (err) return res.status(500).json({ error: 'backup failed' });
    res.status(201).json({ archive: 'site.tgz' });
  });
};

container.register('routes', () => {
  const ctl = new BackupController('/srv/www');
  return [{ verb: 'post', url: '/backups', handler: (req, res) => ctl.create(req, res) }];
});

module.exports = BackupController;
