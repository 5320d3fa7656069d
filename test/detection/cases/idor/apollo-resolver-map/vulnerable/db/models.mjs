import { Sequelize, DataTypes } from 'sequelize';

export const sequelize = new Sequelize(process.env.DATABASE_URL);

export const Invoice = sequelize.define('Invoice', {
  number: DataTypes.STRING,
  amountCents: DataTypes.INTEGER,
  accountId: DataTypes.INTEGER,
  paidAt: DataTypes.DATE,
});
