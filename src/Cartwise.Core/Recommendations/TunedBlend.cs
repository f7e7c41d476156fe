namespace Cartwise.Core.Recommendations;

/// <summary>
/// A store's customer blend, tuned on its own history (<see cref="Evaluation.BlendTuning"/>): the weights for products
/// new to the customer, the share of the list given to re-orders when they are allowed, and what they reached against
/// the built-in blend on the validation split.
/// </summary>
/// <param name="Weights">Blend weights by strategy name, for a customer's history.</param>
/// <param name="RepurchaseShare">The share of buy-again when re-orders are allowed (0–1).</param>
/// <param name="TunedAt">When it was tuned.</param>
/// <param name="SplitAt">The validation split: learnt from the orders before it, judged on each customer's next order after it.</param>
/// <param name="Customers">Customers judged.</param>
/// <param name="K">Recommendations judged per customer.</param>
/// <param name="BuiltIn">The built-in blend's figures on the same split.</param>
/// <param name="Tuned">The tuned blend's figures.</param>
public sealed record TunedBlend(IReadOnlyDictionary<string, double> Weights, double RepurchaseShare, DateTimeOffset TunedAt, DateTimeOffset SplitAt,
    int Customers, int K, BlendFigures BuiltIn, BlendFigures Tuned);

/// <summary>
/// Hit-rates of a blend: <paramref name="NewHitRate"/> of the blend without re-orders on the order's products new to the
/// customer; <paramref name="AllHitRate"/> and <paramref name="AllNewHitRate"/> of the list with re-orders (its share of
/// buy-again) on all of the order's products and on the new ones.
/// </summary>
public sealed record BlendFigures(double NewHitRate, double AllHitRate, double AllNewHitRate);
