namespace Cartwise.Core.Recommendations;

/// <summary>A product with its weight in another's item-to-item model.</summary>
public readonly record struct WeightedProduct(long Product, double Weight);

/// <summary>
/// EASE (Steck, "Embarrassingly Shallow Autoencoders for Sparse Data", 2019): the item-to-item weights B that best
/// rebuild each customer's products from their other products, with B's diagonal held at zero, in closed form:
/// P = (XᵀX + λI)⁻¹ and B_ij = −P_ij / P_jj, X being customers × products (1 when bought). The inverse is of a dense
/// matrix of the products kept (the most ordered <c>maxItems</c>); each product keeps its <c>keep</c> largest positive
/// weights. Pure and deterministic.
/// </summary>
public static class Ease
{
    /// <summary>Weights from <paramref name="rows"/> (each the distinct products of a customer, or of a guest order).</summary>
    public static Dictionary<long, WeightedProduct[]> Build(IReadOnlyList<IReadOnlyCollection<long>> rows, int maxItems, double lambda, int keep)
    {
        var counts = new Dictionary<long, int>();
        foreach (var row in rows)
            foreach (var p in row) counts[p] = counts.GetValueOrDefault(p) + 1;
        var items = counts.Where(kv => kv.Value >= 2).OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key).Take(maxItems).Select(kv => kv.Key).ToArray();
        var n = items.Length;
        if (n < 2) return [];
        var index = new Dictionary<long, int>(n);
        for (var i = 0; i < n; i++) index[items[i]] = i;
        // The Gram matrix XᵀX (symmetric, so row- and column-major alike), one row of X at a time.
        var gram = new double[n * n];
        var kept = new List<int>();
        foreach (var row in rows)
        {
            kept.Clear();
            foreach (var p in row)
                if (index.TryGetValue(p, out var i)) kept.Add(i);
            kept.Sort();
            // The upper triangle only; mirrored below.
            for (var x = 0; x < kept.Count; x++)
            {
                var offset = kept[x] * n;
                for (var y = x; y < kept.Count; y++) gram[offset + kept[y]] += 1;
            }
        }
        for (var i = 0; i < n; i++)
            for (var j = i + 1; j < n; j++) gram[j * n + i] = gram[i * n + j];
        for (var i = 0; i < n; i++) gram[i * n + i] += lambda;
        SymmetricInverse.InvertInPlace(gram, n);
        var result = new Dictionary<long, WeightedProduct[]>(n);
        for (var i = 0; i < n; i++)
        {
            // Row i of B: what a purchase of item i says of each other item j (−P_ij / P_jj); P is symmetric.
            var list = new List<WeightedProduct>();
            for (var j = 0; j < n; j++)
            {
                if (j == i) continue;
                var w = -gram[i * n + j] / gram[j * n + j];
                if (w > 0) list.Add(new WeightedProduct(items[j], w));
            }
            result[items[i]] = list.OrderByDescending(x => x.Weight).ThenBy(x => x.Product).Take(keep).ToArray();
        }
        return result;
    }
}
