// The Black–Scholes closed form for a European call: the answer the Monte Carlo kernel must approach.

/** erfc(x) with relative error below 1.2e-7 everywhere (Numerical Recipes' Chebyshev fit). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z - 1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** The standard normal distribution function. */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

export interface CallTerms {
  spot: number;
  strike: number;
  /** Continuously compounded risk-free rate, per year. */
  rate: number;
  /** Annualised volatility. */
  volatility: number;
  /** Years to expiry. */
  maturity: number;
}

/** The price of a European call under Black–Scholes. */
export function blackScholesCall({ spot, strike, rate, volatility, maturity }: CallTerms): number {
  const sd = volatility * Math.sqrt(maturity);
  const d1 = (Math.log(spot / strike) + (rate + (volatility * volatility) / 2) * maturity) / sd;
  const d2 = d1 - sd;
  return spot * normalCdf(d1) - strike * Math.exp(-rate * maturity) * normalCdf(d2);
}
