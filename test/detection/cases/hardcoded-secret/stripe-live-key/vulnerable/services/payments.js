const stripe = require('stripe')('sk_live_51HbQ2kLm9XwT3vRpYz8aBcDeF4gHiJ');

async function createCheckout(priceId, customerEmail) {
  return stripe.checkout.sessions.create({
    mode: 'payment',
    customer_email: customerEmail,
    line_items: [{ price: priceId, quantity: 1 }],
    success_url: 'https://shop.example/thanks',
    cancel_url: 'https://shop.example/cart',
  });
}

module.exports = { createCheckout };
