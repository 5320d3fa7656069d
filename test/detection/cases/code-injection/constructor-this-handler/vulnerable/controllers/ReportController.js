'use strict';

function ReportController(options) {
  this.currency = options.currency;

  this.preview = (req, res, next) => {
    const { formula, rows } = req.body;
    try {
      const totals = rows.map((row) => eval(formula.replace(/\bamount\b/g, String(row.amount))));
      res.json({ currency: this.currency, totals });
    } catch (err) {
      next(err);
    }
  };
}

module.exports = ReportController;
